// Row 10: self-declared roles. Raw signalling sockets join trees 0 and 1 of a feed as
// "relays" and confirm links they never open. `tree:lookup` must count relays whose links
// work, so that the honest joiners still spread their relay roles over all three trees.
import { afterEach, expect, test } from 'vitest'
import { Swarm } from '../helpers/swarm.js'
import { nextEvent, until } from '../helpers/wait.js'
import { appendPaced, connected, delivered, eclipse, honest, range, SERVER_OPTIONS, source, type Honest } from '../helpers/attackers.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })

async function lookup (url: string, key: string): Promise<number[]> {
  const socket = swarm.socket(url)
  const reply = nextEvent<[{ relays: number[] }]>(socket, 'tree:lookup', { what: 'the lookup reply' })
  socket.emit('tree:lookup', { key })
  const [msg] = await reply
  socket.disconnect()
  return msg.relays
}

test('fake relays are not counted: tree:lookup reports working relays only, and honest joiners relay in every tree', async () => {
  const server = await swarm.server(SERVER_OPTIONS)
  const feed = await source(swarm, server.url, { trees: 3, k: 3, k1: 4 })
  const fakes = eclipse(swarm, server.url, feed.key, { count: 4, trees: [0, 1] })
  await fakes.placed
  const counted = await lookup(server.url, feed.key)
  console.log(`declared roles: tree:lookup reports relays [${counted.join(',')}] for 4 fake relays in trees 0 and 1 and no working one`)
  expect.soft(counted).toEqual([0, 0, 0])
  const subs: Honest[] = []
  let stranded = 0 // honest relays whose relay tree never connected
  for (let i = 0; i < 6; i++) {
    // One at a time, each connected in the tree it relays in before the next asks where relays are fewest.
    const w = await honest(swarm, server.url, feed.key)
    subs.push(w)
    const up = await until(async () => {
      for (const [t, client] of w.sub.forest.clients.entries()) {
        const snap = await server.treeServer.snapshot(`${feed.key}.${t}`)
        if (snap?.peers.find((p) => p.peerID === client.peerID)?.role === 'relay') return client.upstreamPeer !== null
      }
      return false
    }, { ms: 6_000, what: 'the new subscriber is connected in the tree it relays in' }).then(() => true, () => false)
    if (!up) stranded++
  }
  const relaysPerTree: number[] = []
  for (let t = 0; t < 3; t++) {
    const snap = await server.treeServer.snapshot(`${feed.key}.${t}`)
    const fake = fakes.peerIDs[t] ?? new Set<string>()
    relaysPerTree.push(snap?.peers.filter((p) => p.role === 'relay' && p.peerID !== snap.source && !fake.has(p.peerID)).length ?? 0)
  }
  console.log(`declared roles: honest relays per tree [${relaysPerTree.join(',')}]; ${stranded} honest relays stranded in their relay tree`)
  expect(stranded).toBe(0)
  for (const n of relaysPerTree) expect(n).toBeGreaterThanOrEqual(1)
  await connected(subs, 3)
  await appendPaced(feed, 200)
  await delivered(subs, 200)
  for (const w of subs) expect(w.seqs).toEqual(range(200))
})
