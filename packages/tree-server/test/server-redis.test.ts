// The server on a RedisStore: real socket.io, raw clients, a real redis-server. Two server
// processes' worth of PeerTreeServer share one store (no adapter here: each client talks to
// one server, and the tree both place into is the one in Redis).
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startRedisServer } from '../../../test/helpers/redis-server.js'
import type { RedisServer } from '../../../test/helpers/redis-server.js'
import { RedisStore } from '../src/store/redis/index.js'
import { at, buildTree, joinTree, startServer } from './helpers/socket-harness.js'

let redis: RedisServer
beforeAll(async () => { redis = await startRedisServer() })
afterAll(async () => { await redis.stop() })

describe('PeerTreeServer on a RedisStore', () => {
  test('joins through two servers build one breadth-first tree; signals relay; the source leaving empties the store', async () => {
    const storeA = await RedisStore.connect(redis.url, { prefix: 'srv:' })
    const storeB = await RedisStore.connect(redis.url, { prefix: 'srv:' })
    try {
      const a = await startServer({ k: 2, k1: 2, store: storeA })
      const b = await startServer({ k: 2, k1: 2, store: storeB })
      const { treeID, source, members } = await buildTree(a, 4)
      const late = await joinTree(b, treeID, 'late')
      // Breadth-first: 2 under the source, 2 under the first, then the second's first slot.
      expect(late.discover.parent).toBe(at(members, 1).discover.peerID)
      const snap = await b.tree.snapshot(treeID)
      expect(snap?.peers.map((p) => p.depth).sort()).toEqual([0, 1, 1, 2, 2, 2])
      expect(await a.tree.snapshot(treeID)).toEqual(snap)

      const child = at(members, 0)
      child.client.emit('peer:signal', { treeID, session: child.discover.session, signal: { type: 'offer', sdp: 'v=0' } })
      expect((await source.client.next('peer:signal')).signal).toEqual({ type: 'offer', sdp: 'v=0' })

      source.client.emit('tree:leave', { treeID })
      await child.client.next('tree:ended')
      expect(await storeB.get(treeID)).toBeUndefined()
      expect(await storeB.size()).toBe(0)
    } finally {
      await storeA.close()
      await storeB.close()
    }
  })
})
