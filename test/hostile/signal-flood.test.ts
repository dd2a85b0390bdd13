// Row 8: raw signalling sockets (no WebRTC) join a feed's tree and push ICE candidates of
// 4 KB each on their link to the source, before any offer. The server must not pass that
// flood on: what reaches the source is bounded per link, and the honest subscribers next
// to the flooders get every entry.
import { afterEach, expect, test } from 'vitest'
import { Swarm } from '../helpers/swarm.js'
import { nextEvent, until } from '../helpers/wait.js'
import { appendPaced, connected, delivered, eclipse, honest, range, SERVER_OPTIONS, source, type Honest } from '../helpers/attackers.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })

const SIGNALS = 1_000
const SIGNAL_BYTES = 4_096

test('ICE candidates before any offer: the server relays a bounded number per link, and the honest subscribers get everything', async () => {
  const server = await swarm.server(SERVER_OPTIONS)
  const feed = await source(swarm, server.url, { trees: 1, k: 3, k1: 4 })
  const relayedBefore = server.treeServer.stats().counters.signalsRelayed
  const flooders = eclipse(swarm, server.url, feed.key, { count: 2, trees: [0], signalFlood: { count: SIGNALS, bytes: SIGNAL_BYTES } })
  await flooders.placed
  await until(() => flooders.stats.signalsSent >= 2 * SIGNALS || flooders.sockets.some((s) => !s.connected), { what: 'the flooders sent their candidates' })
  // The server handles one socket's events in order: once it answers a lookup, it has handled the whole flood.
  for (const s of flooders.sockets) {
    const reply = nextEvent(s, 'tree:lookup', { what: 'the lookup after the flood' })
    s.emit('tree:lookup', { key: feed.key })
    await reply
  }
  const relayed = server.treeServer.stats().counters.signalsRelayed - relayedBefore
  console.log(`signal flood: ${flooders.stats.signalsSent} candidates (${(flooders.stats.signalBytes / 2 ** 20).toFixed(1)} MiB) sent before any offer on 2 links; ${relayed} relayed to the source; refusals ${JSON.stringify(flooders.stats.errors)}`)
  // A link needs an offer, an answer and a few candidates; 50 per link is generous.
  expect(relayed).toBeLessThan(2 * 50)
  const subs: Honest[] = [await honest(swarm, server.url, feed.key), await honest(swarm, server.url, feed.key)]
  await connected(subs, 1)
  await appendPaced(feed, 100)
  await delivered(subs, 100)
  for (const w of subs) expect(w.seqs).toEqual(range(100))
})
