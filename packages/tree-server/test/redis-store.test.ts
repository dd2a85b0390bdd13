import { readFileSync } from 'node:fs'
import { createClient } from '@redis/client'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { startRedisServer } from '../../../test/helpers/redis-server.js'
import type { RedisServer } from '../../../test/helpers/redis-server.js'
import { MemoryStore } from '../src/store/memory-store.js'
import { RedisStore } from '../src/store/redis/index.js'
import type { TreeStore } from '../src/store/store.js'
import { createTx, joinTx, leaveTx } from '../src/transitions.js'
import type { TxEnv } from '../src/transitions.js'
import { runStoreSuite } from './conformance/store-suite.js'

let redis: RedisServer
const open: RedisStore[] = []
let prefixes = 0

beforeAll(async () => { redis = await startRedisServer() })
afterEach(async () => { await Promise.all(open.splice(0).map(async (s) => { await s.close() })) })
afterAll(async () => { await redis.stop() })

/** A store with a key prefix no other test uses, so tests share the server and never each other's keys. */
/**
 * A store for tests that are not about its timeout: a generous one, so that a loaded machine
 * (a starved redis-server answering one call of thousands late) fails no test about trees.
 */
async function connect (prefix = `t${++prefixes}:`, cacheMembers?: number): Promise<RedisStore> {
  const timeoutMs = 10_000
  const store = await RedisStore.connect(redis.url, cacheMembers === undefined ? { prefix, timeoutMs } : { prefix, cacheMembers, timeoutMs })
  open.push(store)
  return store
}

const prefixOf = new WeakMap<TreeStore, string>()
for (const cacheMembers of [undefined, 0]) {
  runStoreSuite(cacheMembers === 0 ? 'RedisStore without its cache' : 'RedisStore', async () => {
    const prefix = `t${++prefixes}:`
    const store = await connect(prefix, cacheMembers)
    prefixOf.set(store, prefix)
    return store
  }, { sibling: async (store) => await connect(prefixOf.get(store), cacheMembers) })
}

/** Link IDs counted within a run, so that a run the store repeats mints the same ones as in memory. */
function envOf (holder: string): TxEnv {
  let n = 0
  return { mintSession: () => `s${++n}`, holder }
}

async function join (store: TreeStore, peerID: string, role: 'relay' | 'leaf', holder: string): Promise<void> {
  await store.transact('big', (s) => joinTx(s, { peerID, role, token: `${peerID}.x`, maxPeers: 100_000 }, { ...envOf(holder), mintSession: sessionsOf(peerID) }))
}

function sessionsOf (peerID: string): () => string {
  let n = 0
  return () => `${peerID}-${++n}`
}

async function buildTree (store: TreeStore, n: number, holder: string): Promise<void> {
  await store.transact('big', (s) => createTx(s, { treeID: 'big', k: 4, k1: 10, owner: null, source: 'src', token: 'src.x', ref: 'r', holder }))
  for (let i = 0; i < n; i++) await join(store, `p${i}`, i % 3 === 0 ? 'relay' : 'leaf', holder)
}

test('the main entry never loads the Redis client: only peer-tree-server/redis does', () => {
  const seen = new Set<string>()
  const imports: string[] = []
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    const text = readFileSync(file, 'utf8')
    for (const [, spec] of text.matchAll(/\bfrom\s+'([^']+)'/g)) {
      if (spec === undefined) continue
      if (spec.startsWith('.')) visit(new URL(spec.replace(/\.js$/, '.ts'), `file://${file}`).pathname)
      else imports.push(spec)
    }
  }
  visit(new URL('../src/index.ts', import.meta.url).pathname)
  expect(seen.size).toBeGreaterThan(10)
  expect(imports).not.toContain('@redis/client')
  expect([...seen].some((f) => f.includes('/store/redis/'))).toBe(false)
})

describe('RedisStore on a big tree', () => {
  test('joins build the same tree as in memory, and a join fetches and writes a few members, not the tree', async () => {
    // Without the cache, so that the join fetches what it reads.
    const store = await connect(undefined, 0)
    const memory = new MemoryStore()
    const n = 2000
    await buildTree(store, n, 'proc-1')
    await buildTree(memory, n, 'proc-1')
    expect(await store.get('big')).toEqual(await memory.get('big'))

    const before = store.stats
    await join(store, 'late', 'relay', 'proc-2')
    const after = store.stats
    const fetched = after.membersFetched - before.membersFetched
    const written = after.membersWritten - before.membersWritten
    // Placement walks from the source down a few paths and reads each step's children:
    // O(depth × k) members, a few dozen here (the tree has 2,000).
    console.log(`one join into ${n + 1} members: ${fetched} members fetched in ${after.reads - before.reads} reads, ${written} written, ${after.commitBytes - before.commitBytes} bytes of commit arguments`)
    expect(fetched).toBeGreaterThan(1)
    expect(fetched).toBeLessThan(150)
    expect(written).toBeGreaterThanOrEqual(2)
    expect(written).toBeLessThan(20)
    expect(after.commits - before.commits).toBe(1)
    const back = await store.get('big')
    expect(back?.size).toBe(n + 2)
    expect(back?.members['late']?.parent).not.toBeNull()
    expect((await store.heldBy('proc-2')).map((h) => h.peerID)).toEqual(['late'])
  })

  test('with the cache, a join after its own commit fetches only the head and the new member ID; after another store commits, it fetches again', async () => {
    const prefix = 'cache:'
    const store = await connect(prefix)
    const other = await connect(prefix)
    await buildTree(store, 500, 'proc-1')
    let before = store.stats
    await join(store, 'x1', 'leaf', 'proc-1')
    let after = store.stats
    expect(after.cacheHits - before.cacheHits).toBe(1)
    // The head (its version matches the cache), then the one member the cache cannot know: that the new ID is free.
    expect(after.reads - before.reads).toBe(2)
    expect(after.membersFetched - before.membersFetched).toBe(1)

    await join(other, 'x2', 'relay', 'proc-2')
    before = store.stats
    await join(store, 'x3', 'leaf', 'proc-1')
    after = store.stats
    expect(after.cacheHits - before.cacheHits).toBe(0)
    expect(after.reads - before.reads).toBeGreaterThan(1)
    const back = await store.get('big')
    expect(back?.size).toBe(504)
    expect(back?.members['x2']?.holder).toBe('proc-2')
    expect(back?.members['x3']?.parent).not.toBeNull()
  })

  test('the cache keeps no more members than cacheMembers', async () => {
    const store = await connect('budget:', 50)
    await buildTree(store, 200, 'proc-1')
    const before = store.stats
    await join(store, 'x1', 'leaf', 'proc-1')
    await join(store, 'x2', 'leaf', 'proc-1')
    // A join's view of a 200-member tree holds more than 50 members: nothing is kept.
    expect(store.stats.cacheHits - before.cacheHits).toBe(0)
    expect(store.stats.reads - before.reads).toBeGreaterThan(4)
  })

  test('the source leaving deletes the whole tree and its holder index', async () => {
    const prefix = 'leave:'
    const store = await connect(prefix)
    const env = envOf('proc-1')
    await buildTree(store, 300, 'proc-1')
    expect(await store.heldBy('proc-1')).toHaveLength(301)
    const out = await store.transact('big', (s) => leaveTx(s, { peerID: 'src', epoch: 0 }, env))
    expect(out.change.ended).toBe(true)
    expect(out.change.removed).toHaveLength(301)
    expect(await store.get('big')).toBeUndefined()
    expect(await store.heldBy('proc-1')).toEqual([])
    expect(await store.size()).toBe(0)
    const probe = createClient({ url: redis.url })
    await probe.connect()
    expect(await probe.keys(`${prefix}*`)).toEqual([])
    await probe.quit()
  })
})

describe('RedisStore when Redis goes away', () => {
  test('a call Redis does not answer rejects after timeoutMs; the store works again once Redis does', async () => {
    const store = await RedisStore.connect(redis.url, { prefix: 'hung:', timeoutMs: 200 })
    open.push(store)
    await buildTree(store, 5, 'proc-1')
    redis.pause()
    try {
      // The connection stays up, so these are sent and wait: only the timeout ends them.
      await expect(store.transact('big', (s) => joinTx(s, { peerID: 'hung', role: 'leaf', token: 'hung.x', maxPeers: 100 }, envOf('proc-1')))).rejects.toThrow(/no answer within 200 ms/)
      await expect(store.get('big')).rejects.toThrow(/no answer within 200 ms/)
      await expect(store.size()).rejects.toThrow(/no answer within 200 ms/)
    } finally {
      redis.resume()
    }
    // The join that timed out never landed.
    const back = await store.get('big')
    expect(back?.size).toBe(6)
    expect(back?.members['hung']).toBeUndefined()
  })

  test('transactions queued behind one that Redis does not answer reject with it, without each waiting its own timeout', async () => {
    const store = await RedisStore.connect(redis.url, { prefix: 'queue-hung:', timeoutMs: 200 })
    open.push(store)
    await buildTree(store, 5, 'proc-1')
    redis.pause()
    const settled: string[] = []
    try {
      const calls = ['a', 'b', 'c', 'd'].map(async (id) => {
        await store.transact('big', (s) => joinTx(s, { peerID: id, role: 'leaf', token: `${id}.x`, maxPeers: 100 }, envOf('proc-1')))
          .catch((err: Error) => { settled.push(err.message) })
      })
      await Promise.all(calls)
    } finally {
      redis.resume()
    }
    expect(settled).toEqual([
      'RedisStore: no answer within 200 ms',
      ...['b', 'c', 'd'].map(() => 'RedisStore: Redis stopped answering while this call waited')
    ])
    expect((await store.get('big'))?.size).toBe(6)
  })

  test('a burst of transactions on one tree queues in the process and all land, even past timeoutMs in total', async () => {
    const store = await RedisStore.connect(redis.url, { prefix: 'burst:', timeoutMs: 1_000 })
    open.push(store)
    await buildTree(store, 5, 'proc-1')
    // Each body spends 50 ms of this process's CPU, so the 30 queued behind each other take
    // at least 1.5 s in all: longer than one call may, while each call alone stays well within it.
    const busy = (ms: number): void => { const end = performance.now() + ms; while (performance.now() < end) { /* a slow body */ } }
    const n = 30
    await Promise.all(Array.from({ length: n }, async (_, i) => {
      await store.transact('big', (s) => { busy(50); return joinTx(s, { peerID: `q${i}`, role: 'leaf', token: `q${i}.x`, maxPeers: 100 }, envOf('proc-1')) })
    }))
    expect((await store.get('big'))?.size).toBe(6 + n)
  })

  test('calls reject while Redis is down, and work again on the same trees once it is back', async () => {
    const client = createClient({ url: redis.url, disableOfflineQueue: true, socket: { reconnectStrategy: () => 100 } })
    const errors: Error[] = []
    client.on('error', (err: Error) => { errors.push(err) })
    await client.connect()
    const store = new RedisStore(client, { prefix: 'outage:' })
    const env = envOf('proc-1')
    await buildTree(store, 20, 'proc-1')

    // Restart: stopped with SIGTERM, the append-only file has every write; the tree survives.
    const ready = new Promise((resolve) => client.once('ready', resolve))
    await redis.restart()
    await ready
    expect((await store.get('big'))?.size).toBe(21)
    await store.transact('big', (s) => joinTx(s, { peerID: 'after', role: 'leaf', token: 'after.x', maxPeers: 100 }, env))
    expect((await store.get('big'))?.size).toBe(22)

    // Killed: every call rejects (the server answers STORE_UNAVAILABLE), none waits for Redis.
    await redis.kill()
    const calls: Array<Promise<unknown>> = [
      store.get('big'),
      store.transact('big', (s) => joinTx(s, { peerID: 'lost', role: 'leaf', token: 'lost.x', maxPeers: 100 }, env)),
      store.read('big', (s) => s?.size),
      store.heldBy('proc-1'),
      store.size()
    ]
    for (const call of calls) await expect(call).rejects.toThrow()
    expect(client.isReady).toBe(false)
    await expect(store.size()).rejects.toThrow(/not reachable/)

    const back = new Promise((resolve) => client.once('ready', resolve))
    await redis.restart()
    await back
    expect(await store.size()).toBe(1)
    await client.quit()
  })
})
