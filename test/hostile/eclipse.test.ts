// Row 1, the eclipse: raw signalling sockets (no WebRTC at all) join a new feed as relays
// before anyone else and report `peer:connected` for links they never open. Real server,
// real WebRTC for the honest peers.
import { afterEach, expect, test } from 'vitest'
import { Swarm } from '../helpers/swarm.js'
import { until } from '../helpers/wait.js'
import { appendPaced, delivered, eclipse, honest, range, SERVER_OPTIONS, source } from '../helpers/attackers.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })

test('eclipse: 4 sockets that confirm links they never open hold no source slot; 4 honest subscribers deliver every entry in order', async () => {
  const server = await swarm.server(SERVER_OPTIONS)
  const feed = await source(swarm, server.url, { trees: 3, k: 3, k1: 4 })
  const attackers = eclipse(swarm, server.url, feed.key, { count: 4, trees: [0, 1, 2] })
  await attackers.placed
  // The attack is in place: the attackers hold every source slot of every tree (3 × k1 4).
  for (let t = 0; t < 3; t++) {
    const snap = await server.treeServer.snapshot(`${feed.key}.${t}`)
    const top = snap?.peers.find((p) => p.peerID === snap.source)?.children ?? []
    expect(top.filter((id) => attackers.peerIDs[t]?.has(id)).length).toBe(4)
  }
  const subs = []
  for (let i = 0; i < 4; i++) subs.push(await honest(swarm, server.url, feed.key))
  await appendPaced(feed, 200)
  await delivered(subs, 200, 12_000)
  for (const w of subs) expect(w.seqs).toEqual(range(200))
  // What the attackers hold once the links failed: no source slot is left to a socket whose link never worked.
  await until(async () => {
    for (let t = 0; t < 3; t++) {
      const snap = await server.treeServer.snapshot(`${feed.key}.${t}`)
      const top = snap?.peers.find((p) => p.peerID === snap.source)?.children ?? []
      if (top.some((id) => attackers.peerIDs[t]?.has(id))) return false
    }
    return true
  }, { ms: 5_000, what: 'no attacker socket is a child of the source in any tree' })
})
