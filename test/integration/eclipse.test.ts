// The eclipse attempt over real socket.io and real WebRTC: raw sockets that join a new feed
// as relays right after it is created, claim their links work and never open one. They held
// every source slot for good while a child's word was enough; now a link counts only when
// both ends confirmed it, the source reports the links that never connect, and the honest
// subscribers get every entry.
import wrtc from '@roamhq/wrtc'
import { afterEach, expect, test } from 'vitest'
import { Feed, createNodeEd25519, type FeedSubscriber } from 'peer-tree-broadcast'
import type { Socket } from 'socket.io-client'
import { Swarm } from '../helpers/swarm.js'
import { until } from '../helpers/wait.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })
const ed = createNodeEd25519()

/** A socket that joins every tree of the feed as a relay and says yes to every link it is given, opening none. */
function attacker (socket: Socket, key: string, trees: number): { lookups: Array<{ relays: number[] }> } {
  const seen = { lookups: [] as Array<{ relays: number[] }> }
  socket.on('tree:discover', (d: { treeID: string, session: string | null }) => {
    if (d.session !== null) socket.emit('peer:connected', { treeID: d.treeID, session: d.session })
  })
  socket.on('peer:child', (c: { treeID: string, session: string }) => {
    socket.emit('peer:connected', { treeID: c.treeID, session: c.session })
  })
  socket.on('tree:lookup', (l: { relays: number[] }) => seen.lookups.push(l))
  for (let i = 0; i < trees; i++) socket.emit('tree:join', { treeID: `${key}.${i}`, role: 'relay' })
  return seen
}

test('4 raw "relays" that take every source slot first: the honest subscribers still deliver every entry, in order', async () => {
  const server = await swarm.server()
  const peer = { timeout: 1000 }
  const feed = await Feed.create(swarm.socket(server.url), { wrtc, ed25519: ed, trees: 3, k: 4, k1: 4, peer })
  swarm.onClose(() => feed.close())
  const attackers = Array.from({ length: 4 }, () => attacker(swarm.socket(server.url), feed.key, 3))
  // Every source slot is taken by an attacker before any honest subscriber comes.
  await until(async () => {
    for (let i = 0; i < 3; i++) {
      const snap = await server.treeServer.snapshot(`${feed.key}.${i}`)
      if (snap?.peers[0]?.children.length !== 4) return false
    }
    return true
  }, { what: 'the attackers hold all 12 source slots' })
  // A role is only what a socket says: the lookup does not count them.
  const probe = swarm.socket(server.url)
  const lookups = attacker(probe, feed.key, 0).lookups
  probe.emit('tree:lookup', { key: feed.key })
  await until(() => lookups.length > 0, { what: 'the lookup answered' })
  expect(lookups[0]?.relays).toEqual([0, 0, 0])
  expect(attackers).toHaveLength(4)

  const subs: Array<{ sub: FeedSubscriber, seqs: number[] }> = []
  for (let i = 0; i < 6; i++) {
    const sub = await Feed.join(swarm.socket(server.url), feed.key, { wrtc, ed25519: ed, peer })
    const w = { sub, seqs: [] as number[] }
    sub.on('entry', ({ seq }) => { w.seqs.push(seq) })
    swarm.onClose(() => sub.close())
    subs.push(w)
  }
  const n = 200
  for (let i = 0; i < n; i++) await feed.append({ i })
  await until(() => subs.every((w) => w.seqs.length >= n), {
    ms: 45_000,
    what: `every honest subscriber delivered ${n} entries`,
    describe: () => subs.map((w) => w.seqs.length).join(',')
  })
  for (const w of subs) expect(w.seqs).toEqual(Array.from({ length: n }, (_, i) => i))
  expect(server.treeServer.stats().counters.reportedLinks).toBeGreaterThan(0)
})
