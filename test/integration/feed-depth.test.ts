// The depth of a feed's trees over real socket.io and real WebRTC (@roamhq/wrtc): subscribers
// that join at once, each a relay in one tree and a leaf in the others, leave every tree
// with its relays at the breadth-first optimum, and every subscriber delivers every entry.
import wrtc from '@roamhq/wrtc'
import { afterEach, expect, test } from 'vitest'
import { Feed, createNodeEd25519, type FeedSubscriber } from 'peer-tree-broadcast'
import type { TreeSnapshot } from 'peer-tree-server'
import { Swarm, type TestPeer } from '../helpers/swarm.js'
import { allLinksUp, viewTree } from '../helpers/tree-view.js'
import { nextEvent, until } from '../helpers/wait.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })
const ed = createNodeEd25519()

const TREES = 3
const K = 3
const K1 = 4
const SUBSCRIBERS = 20
const ENTRIES = 200

/** Depths of n relays in a breadth-first-optimal tree: levels of k1, k1·k, k1·k², ... */
function optimumDepths (n: number): number[] {
  const out: number[] = []
  for (let level = 1, width = K1; out.length < n; level++, width *= K) {
    for (let i = 0; i < width && out.length < n; i++) out.push(level)
  }
  return out
}

test(`a feed with ${TREES} trees, k = ${K}, k1 = ${K1}, ${SUBSCRIBERS} subscribers joining at once: each tree's relays sit at the breadth-first optimum, and everyone delivers every entry`, async () => {
  const server = await swarm.server()
  const feed = await Feed.create(swarm.socket(server.url), { wrtc, ed25519: ed, trees: TREES, k: K, k1: K1 })
  swarm.onClose(() => feed.close())
  const subs: FeedSubscriber[] = await Promise.all(Array.from({ length: SUBSCRIBERS }, async () => {
    const socket = swarm.socket(server.url)
    const sub = await Feed.join(socket, feed.key, { wrtc, ed25519: ed })
    swarm.onClose(() => { sub.close(); socket.disconnect() })
    return sub
  }))
  const seqs = subs.map(() => [] as number[])
  subs.forEach((sub, i) => sub.on('entry', ({ seq }) => { seqs[i]?.push(seq) }))

  const treeIDs = Array.from({ length: TREES }, (_, i) => `${feed.key}.${i}`)
  const snapshots = async (): Promise<TreeSnapshot[]> => Promise.all(treeIDs.map(async (id) => {
    const snap = await server.treeServer.snapshot(id)
    if (snap === undefined) throw new Error(`no tree ${id}`)
    return snap
  }))
  // Settled: every subscriber is in every tree, on a link it confirmed.
  await until(async () => (await snapshots()).every((s) => s.size === SUBSCRIBERS + 1 && s.peers.every((p) => p.depth === 0 || (p.depth > 0 && p.confirmed))), {
    what: 'every subscriber has a confirmed place in every tree',
    describe: async () => (await snapshots()).map((s) => `${s.size} members, ${s.peers.filter((p) => p.confirmed).length} confirmed`).join('; ')
  })
  const snaps = await snapshots()
  const figures = snaps.map((s) => {
    const relays = s.peers.filter((p) => p.role === 'relay').map((p) => p.depth).sort((a, b) => a - b)
    const leaves = s.peers.filter((p) => p.role === 'leaf').map((p) => p.depth)
    return { relays: relays.length, relayDepths: relays, optimum: optimumDepths(relays.length), treeDepth: Math.max(...relays, ...leaves) }
  })
  console.log('feed depth:', JSON.stringify(figures.map(({ relays, relayDepths, treeDepth }) => ({ relays, relayDepth: Math.max(0, ...relayDepths), optimum: Math.max(0, ...optimumDepths(relays)), treeDepth }))))
  expect(figures.reduce((n, f) => n + f.relays, 0)).toBe(SUBSCRIBERS) // each subscriber relays in one tree
  for (const f of figures) expect(f.relayDepths).toEqual(f.optimum)

  await until(() => subs.every((s) => s.stats().trees === TREES), { what: `every subscriber has an upstream in all ${TREES} trees` })
  await Promise.all(Array.from({ length: ENTRIES }, (_, i) => feed.append(i)))
  await until(() => seqs.every((s) => s.length >= ENTRIES), {
    ms: 60_000,
    what: `every subscriber delivered ${ENTRIES} entries`,
    describe: () => seqs.map((s) => s.length).join(',')
  })
  for (const s of seqs) expect(s).toEqual(Array.from({ length: ENTRIES }, (_, i) => i))
})

test('leaves that a relay displaces are told to move (reason moved), reconnect over WebRTC under the relay, and keep receiving', async () => {
  const server = await swarm.server()
  const source = swarm.peer(server.url, { name: 'source' })
  source.client.create({ k: 2, k1: 2 })
  const [treeID] = await nextEvent<[string]>(source.client, 'discover')
  const join = async (name: string, role: 'relay' | 'leaf'): Promise<TestPeer> => {
    const peer = swarm.peer(server.url, { name })
    peer.client.connect(treeID, { role })
    await nextEvent(peer.client, 'upstreamPeer', { what: `${name} connected` })
    return peer
  }
  const leaves = [await join('leaf0', 'leaf'), await join('leaf1', 'leaf')] // both under the source
  const relays = [await join('relay0', 'relay'), await join('relay1', 'relay')] // each takes a leaf's slot
  const members = [source, ...leaves, ...relays]
  await until(async () => allLinksUp(members, await viewTree(server.treeServer, treeID)), { what: 'every link of the tree is connected' })
  const view = await viewTree(server.treeServer, treeID)
  const relayIDs = relays.map((r) => r.client.peerID)
  expect(view.children.get(view.source)?.sort()).toEqual([...relayIDs].sort())
  for (const leaf of leaves) {
    expect(relayIDs).toContain(view.parent.get(leaf.client.peerID as string))
    expect(leaf.discovers).toBe(2) // placed, then moved
    expect(leaf.upstreams).toBe(2)
  }
  await until(() => source.client.downstreamPeers.length === 2, { what: "the leaves' old links to the source are closed" })
  source.client.write('after the move')
  await until(() => [...leaves, ...relays].every((p) => p.received.includes('after the move')), { what: 'every member received the message' })
})
