// Row 4: WANT floods on real WebRTC links. A child of the source asks again and again for
// history that exists; a child of an honest relay asks for blocks past the log's end. What
// the victim serves or passes up is bounded, and the honest subscribers keep getting all.
import { afterEach, expect, test } from 'vitest'
import { Swarm } from '../helpers/swarm.js'
import { until } from '../helpers/wait.js'
import { appendPaced, connected, delivered, honest, range, relay, SERVER_OPTIONS, source, type Honest } from '../helpers/attackers.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })

const FLOOD = 500
const BATCH = 64

test('a WANT flood for real history at the source: it serves a bounded part of what was asked, and its honest children get everything', async () => {
  const server = await swarm.server(SERVER_OPTIONS)
  // k1 = 4: the flooder and the 3 honest subscribers are all children of the source.
  const feed = await source(swarm, server.url, { trees: 1, k: 3, k1: 4, maxEntriesPerBlock: 1 })
  await appendPaced(feed, 100) // 100 blocks of history
  const flooder = relay(swarm, server.url, feed.key, { trees: [0] })
  await until(() => flooder.upstreamCount() === 1, { what: 'the flooder is a child of the source' })
  const subs: Honest[] = []
  for (let i = 0; i < 3; i++) subs.push(await honest(swarm, server.url, feed.key))
  await connected(subs, 1)
  await delivered(subs, 100)
  const servedBefore = feed.stats().served
  const sent = flooder.wantFlood({ from: 0, to: BATCH - 1, count: FLOOD })
  expect(sent).toBe(FLOOD)
  const asked = FLOOD * BATCH
  const blocksBefore = flooder.stats.blocksIn
  // Until the source dropped the flooder, or served it everything it asked (today's behaviour).
  await until(() => flooder.stats.upstreamsLost > 0 || flooder.stats.blocksIn - blocksBefore >= asked, {
    ms: 10_000,
    what: 'the source dropped the flooder or answered the whole flood',
    describe: () => `${flooder.stats.blocksIn - blocksBefore} of ${asked} blocks served`
  })
  const served = feed.stats().served - servedBefore
  console.log(`WANT flood at the source: ${served} blocks served for ${FLOOD} WANTs asking ${asked}; ${flooder.stats.blocksIn - blocksBefore} reached the flooder; flooder dropped: ${flooder.stats.upstreamsLost > 0}`)
  expect(served).toBeLessThan(asked / 10)
  await appendPaced(feed, 100, 100)
  await delivered(subs, 200)
  for (const w of subs) expect(w.seqs).toEqual(range(200))
})

test('a WANT flood past the log end at a relay: it passes nothing up, and its honest child gets everything', async () => {
  const server = await swarm.server(SERVER_OPTIONS)
  const feed = await source(swarm, server.url, { trees: 1, k: 3, k1: 1 })
  const victim = await honest(swarm, server.url, feed.key) // the source's only child
  await connected([victim], 1)
  const flooder = relay(swarm, server.url, feed.key, { trees: [0] })
  await until(() => flooder.upstreamCount() === 1, { what: 'the flooder is a child of the honest relay' })
  const child = await honest(swarm, server.url, feed.key)
  await connected([child], 1)
  await appendPaced(feed, 100)
  await delivered([victim, child], 100)
  const upBefore = victim.upBytesSent()
  const sent = flooder.wantFlood({ from: 1_000_000, to: 1_000_000 + BATCH - 1, step: BATCH, count: FLOOD })
  expect(sent).toBe(FLOOD)
  // A malformed message closes the flood: the victim reports it (or it already dropped the flooder).
  const flooderID = flooder.peerIDs()[0]
  flooder.sendUp(Uint8Array.of(0xc1))
  await until(() => flooder.stats.upstreamsLost > 0 || victim.invalid.some((r) => r.peerID === flooderID), {
    ms: 10_000,
    what: 'the relay read the whole flood (it reported the closing message) or dropped the flooder'
  })
  const passedUp = victim.upBytesSent() - upBefore
  console.log(`WANT flood past the end at a relay: ${flooder.stats.wantsSent} WANTs (${FLOOD * 12} B or so) in, ${passedUp} B of WANTs passed up by the victim`)
  expect(passedUp).toBeLessThan(256)
  await appendPaced(feed, 100, 100)
  await delivered([victim, child], 200)
  for (const w of [victim, child]) expect(w.seqs).toEqual(range(200))
})
