// A feed against peers that lie, flood, replay and keep quiet, over real socket.io and real
// WebRTC (@roamhq/wrtc): honest subscribers deliver every entry in order, and what a victim
// spends on the hostile peer is bounded (asserted by counts and bytes, never by timings).
import wrtc from '@roamhq/wrtc'
import { afterEach, describe, expect, test } from 'vitest'
import {
  Feed, createNodeEd25519, encodeMessage, MessageType, type FeedSource, type FeedSubscriber, type InvalidReport
} from 'peer-tree-broadcast'
import { Forest } from '../../packages/broadcast/src/net/forest.js'
import type { FeedLink } from '../../packages/broadcast/src/net/feed-link.js'
import {
  CLAIM_WINDOW, WANT_BUDGET_BLOCK_BURST, WANT_BUDGET_BYTE_BURST
} from '../../packages/broadcast/src/net/net-constants.js'
import { Swarm } from '../helpers/swarm.js'
import { nextEvent, until } from '../helpers/wait.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })
const ed = createNodeEd25519()
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i)

interface Watched {
  sub: FeedSubscriber
  seqs: number[]
  invalid: InvalidReport[]
}

async function source (url: string, opts: Parameters<typeof Feed.create>[1] = {}): Promise<FeedSource> {
  const feed = await Feed.create(swarm.socket(url), { wrtc, ed25519: ed, ...opts })
  swarm.onClose(() => feed.close())
  return feed
}

async function subscriber (url: string, key: string, opts: Parameters<typeof Feed.join>[2] = {}): Promise<Watched> {
  const socket = swarm.socket(url)
  const sub = await Feed.join(socket, key, { wrtc, ed25519: ed, ...opts })
  const w: Watched = { sub, seqs: [], invalid: [] }
  sub.on('entry', ({ seq }) => { w.seqs.push(seq) })
  sub.on('invalid', (r) => { w.invalid.push(r) })
  swarm.onClose(() => { sub.close(); socket.disconnect() })
  return w
}

/** A raw member of the feed's trees, that does whatever the test tells it with the links it gets. */
async function attacker (url: string, key: string, trees: Array<[number, 'relay' | 'leaf']>): Promise<Forest> {
  const forest = new Forest(swarm.socket(url), { peer: { wrtc } })
  swarm.onClose(() => forest.close())
  const placed = Promise.all(trees.map(([i]) => nextEvent(forest, 'placed', { filter: (t: number) => t === i, what: `attacker placed in tree ${i}` })))
  for (const [i, role] of trees) forest.joinTree(key, i, role)
  await placed
  return forest
}

async function connected (subs: Watched[], trees: number): Promise<void> {
  await until(() => subs.every((w) => w.sub.stats().trees === trees), {
    what: `every subscriber has an upstream in all ${trees} trees`,
    describe: () => subs.map((w) => w.sub.stats().trees).join(',')
  })
}

async function allDelivered (subs: Watched[], n: number, ms = 30_000): Promise<void> {
  await until(() => subs.every((w) => w.seqs.length >= n), {
    ms, what: `every subscriber delivered ${n} entries`, describe: () => subs.map((w) => w.seqs.length).join(',')
  })
}

const peerIds = (forest: Forest): Set<string> => new Set(forest.clients.map((c) => c.peerID as string))

describe('claims are bounded by what was verified', () => {
  test("one HAVE for a far-future block: 'live' subscribers still deliver from the first verified block, nobody believes it past the window, and the WANTs it caused stop", async () => {
    const server = await swarm.server()
    const feed = await source(server.url, { trees: 2, k: 3, k1: 1 })
    // The attacker takes the source's only slot in tree 0, relays its blocks honestly, and lies in HAVE.
    const evil = await attacker(server.url, feed.key, [[0, 'relay']])
    const lie = encodeMessage({ type: MessageType.HAVE, highest: 1e12 })
    let wantsToAttacker = 0
    evil.on('link', (link) => { if (link.direction === 'down') link.send(lie) })
    evil.on('frame', (link, frame) => {
      if (link.direction === 'down' && frame.message.type === MessageType.WANT) wantsToAttacker++
      if (link.direction !== 'up' || frame.message.type !== MessageType.BLOCK) return
      for (const down of evil.downstreams()) { down.send(frame.bytes); down.send(lie) }
    })
    const subs: Watched[] = []
    for (let i = 0; i < 6; i++) subs.push(await subscriber(server.url, feed.key, { from: i % 2 === 0 ? 'live' : 'start' }))
    await connected(subs, 2)
    await until(() => evil.downstreams().length > 0, { what: 'someone is placed under the attacker' })
    // Until both ends of every link are up, a 'live' subscriber may miss the first blocks: it
    // starts at the first one it verifies. Append until everyone has started.
    let n = 0
    for (;;) {
      await feed.append(n++)
      const started = await until(() => subs.every((w) => w.seqs.length > 0), { ms: 1_000, what: 'everyone started' }).then(() => true, () => false)
      if (started) break
      if (n > 20) throw new Error(`not every subscriber started: ${subs.map((w) => w.seqs.length).join(',')}`)
    }
    for (; n < 50; n++) await feed.append(n)
    await until(() => subs.every((w) => w.seqs[w.seqs.length - 1] === 49), { what: 'every subscriber delivered entry 49' })
    for (const w of subs) {
      // 'start' subscribers from 0, 'live' ones from their first verified block: in order, no gaps.
      expect(w.seqs).toEqual(range(w.seqs.length, 50 - w.seqs.length))
      if (w.sub.log?.startIndex === 0) expect(w.seqs.length).toBe(50)
      expect(w.sub.stats().highest).toBeLessThanOrEqual(49 + CLAIM_WINDOW)
    }
    // The claim is refuted once its window is not backed in time: the log end is the real one again.
    await until(() => subs.every((w) => w.sub.stats().highest === 49), {
      what: 'every subscriber believes the real log end', describe: () => subs.map((w) => w.sub.stats().highest).join(',')
    })
    // What the lie cost: a bounded number of WANTs, each for at most CLAIM_WINDOW indices.
    const wants = wantsToAttacker + feed.stats().ignored + subs.reduce((n, w) => n + w.sub.stats().refused, 0)
    console.log('far-future HAVE:', { wantsToAttacker, ignoredAtSource: feed.stats().ignored, refuted: subs.map((w) => w.sub.spending().claimsRefuted) })
    expect(wants).toBeLessThan(subs.length * 8 * 10)
  })
})

describe('WANTs have a budget per link', () => {
  test('a WANT flood at the source is cut at the budget and the flooding link is dropped and reported', async () => {
    const server = await swarm.server()
    const feed = await source(server.url, { trees: 1, k1: 3, maxEntriesPerBlock: 1 })
    const honest = await subscriber(server.url, feed.key)
    const entry = 'x'.repeat(4_000)
    await Promise.all(range(100).map((i) => feed.append(`${i} ${entry}`)))
    await allDelivered([honest], 100)
    const evil = await attacker(server.url, feed.key, [[0, 'leaf']])
    await until(() => evil.upstreams().length === 1, { what: 'the attacker is linked to the source' })
    const up = evil.upstreams()[0] as FeedLink
    const reported = nextEvent<[InvalidReport]>(feed, 'invalid', { what: 'the source reports the flood' })
    const want = encodeMessage({ type: MessageType.WANT, from: 0, to: 63 })
    for (let i = 0; i < 2_000; i++) up.send(want) // 14 kB asking for 128,000 blocks (~520 MB)
    const [report] = await reported
    expect(report.reason).toBe('WANT_BUDGET_EXCEEDED')
    expect(peerIds(evil).has(report.peerID)).toBe(true)
    await until(() => up.closed, { what: 'the flooding link is closed' })
    const { served, refused } = feed.stats()
    console.log('WANT flood at the source:', { asked: 2_000 * 64, served, refused, bytesToAttacker: up.bytesReceived })
    expect(served).toBeLessThanOrEqual(2 * WANT_BUDGET_BLOCK_BURST)
    expect(up.bytesReceived).toBeLessThanOrEqual(2 * WANT_BUDGET_BYTE_BURST)
    await feed.append('after')
    await allDelivered([honest], 101)
    expect(honest.seqs).toEqual(range(101))
  })

  test("a relay flooded with WANTs for blocks it lacks: bounded waits, bounded asks upstream, the flooder dropped; its honest child gets the history; 'backfilled' counts only its own asks", async () => {
    const server = await swarm.server()
    const feed = await source(server.url, { trees: 1, k: 2, k1: 1, maxEntriesPerBlock: 1 })
    await Promise.all(range(100).map((i) => feed.append(i)))
    // The relay joins live: it holds nothing before block 100, and asks for nothing itself.
    const relay = await subscriber(server.url, feed.key, { from: 'live' })
    await connected([relay], 1)
    await until(() => feed.stats().children === 1, { what: 'the source has the relay as its child' })
    for (let i = 100; i < 110; i++) await feed.append(i)
    await until(() => relay.seqs.length === 10, { what: 'the relay delivered the live entries', describe: () => JSON.stringify([relay.seqs, relay.sub.stats(), relay.invalid, feed.stats(), feed.forest.downstreams().map((l) => [l.remote, l.bytesSent, l.closed])]) })

    const evil = await attacker(server.url, feed.key, [[0, 'leaf']])
    await until(() => evil.upstreams().length === 1, { what: 'the attacker is linked under the relay' })
    const up = evil.upstreams()[0] as FeedLink
    const reported = nextEvent<[InvalidReport]>(relay.sub, 'invalid', { what: 'the relay reports the flood' })
    // WANTs for blocks the relay lacks (below its start: it must ask further up) and past the log's end.
    for (let i = 0; i < 2_000; i++) {
      up.send(encodeMessage({ type: MessageType.WANT, from: (i * 7) % 100, to: (i * 7) % 100 + 63 }))
      up.send(encodeMessage({ type: MessageType.WANT, from: 1e9 + i, to: 1e9 + i + 63 }))
    }
    const [report] = await reported
    expect(report.reason).toBe('WANT_BUDGET_EXCEEDED')
    expect(peerIds(evil).has(report.peerID)).toBe(true)
    // What the relay holds for the flooder now: nothing; what it asked further up: each block it lacks once.
    expect(relay.sub.spending().pendingWaits).toBe(0)
    expect(relay.sub.spending().relayedAsks).toBeLessThanOrEqual(100)
    console.log('WANT flood at a relay:', { refused: relay.sub.stats().refused, spending: relay.sub.spending() })

    // An honest child of the same relay gets the whole history through it.
    const child = await subscriber(server.url, feed.key)
    await allDelivered([child], 110)
    await feed.append(110)
    await allDelivered([child], 111)
    expect(child.seqs).toEqual(range(111))
    const relayStats = relay.sub.stats()
    expect(relayStats.backfilled).toBe(0) // every block it fetched was for a child
    expect(relayStats.served).toBeGreaterThanOrEqual(100)
    // The source sent each history block at most twice (once for the flooder's waits, once for
    // the child), whatever the flood asked: 2,000 WANTs for 64 blocks each.
    expect(feed.stats().served).toBeLessThanOrEqual(2 * 100)
    expect(relay.seqs).toEqual(range(11, 100))
  })
})

describe('subscribers police their upstreams', () => {
  test('a relay that accepts children and forwards nothing is dropped by them and reported; they are placed elsewhere', async () => {
    const server = await swarm.server()
    const feed = await source(server.url, { trees: 3, k: 3, k1: 2 })
    // No entry yet: the source's idle HAVE (-1) still tells its children it is there.
    // The attacker takes one of the source's two slots in tree 0 and says nothing, ever.
    const evil = await attacker(server.url, feed.key, [[0, 'relay']])
    const evilIds = peerIds(evil)
    const subs: Watched[] = []
    for (let i = 0; i < 6; i++) subs.push(await subscriber(server.url, feed.key))
    await connected(subs, 3)
    await until(() => evil.downstreams().length > 0, { what: 'someone is placed under the attacker' })
    const victims = subs.filter((w) => w.sub.forest.upstreams().some((l) => evilIds.has(l.remote)))
    await until(() => victims.every((w) => w.invalid.some((r) => evilIds.has(r.peerID))), {
      what: 'every child of the attacker reported it', describe: () => victims.map((w) => JSON.stringify(w.invalid)).join(' ')
    })
    for (const w of victims) {
      const r = w.invalid.find((x) => evilIds.has(x.peerID)) as InvalidReport
      expect(['UPSTREAM_SILENT', 'UPSTREAM_LAGGING']).toContain(r.reason)
      expect(r.tree).toBe(0)
    }
    await until(() => subs.every((w) => w.sub.stats().trees === 3 && !w.sub.forest.upstreams().some((l) => evilIds.has(l.remote))), {
      what: 'every subscriber has an honest upstream in all 3 trees'
    })
    for (const w of subs) expect(w.invalid.every((r) => evilIds.has(r.peerID))).toBe(true) // no honest peer accused
    await Promise.all(range(20).map((i) => feed.append(i)))
    await allDelivered(subs, 20)
  })
})

describe('what the docs promise', () => {
  test("a late joiner with from: 'start' asks for the history at once, without waiting for the gap grace", async () => {
    const server = await swarm.server()
    const feed = await source(server.url, { trees: 2 })
    await Promise.all(range(300).map((i) => feed.append(i)))
    const late = await subscriber(server.url, feed.key, { gapGraceMs: 600_000 })
    await allDelivered([late], 300, 20_000)
    expect(late.seqs).toEqual(range(300))
    expect(late.sub.stats().backfilled).toBeGreaterThan(0)
  })
})
