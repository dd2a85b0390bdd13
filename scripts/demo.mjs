// The broadcast demo (`npm start`): a signalling server, a source and a swarm of real Node
// WebRTC peers (@roamhq/wrtc) on m trees; peers leave and new ones join mid-stream; at the
// end a summary: entries appended and delivered, duplicates, backfill, latency, bytes, and
// the log of a random peer verified. Everything listens on 127.0.0.1 only.
import { createServer } from 'node:http'
import { parseArgs } from 'node:util'
import { Server } from 'socket.io'
import { io as connect } from 'socket.io-client'
import wrtc from '@roamhq/wrtc'
import PeerTreeServer from 'peer-tree-server'
import { Feed, createNodeEd25519, verifyLog } from 'peer-tree-broadcast'
import { depthLine } from './tree-depth.mjs'

const { values: args } = parseArgs({
  options: {
    peers: { type: 'string', default: '24' },
    trees: { type: 'string', default: '3' },
    entries: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '400' }, // entries per second
    churn: { type: 'string', default: '8' }
  }
})
const PEERS = Number(args.peers)
const TREES = Number(args.trees)
const ENTRIES = Number(args.entries)
const RATE = Number(args.rate)
const CHURN = Number(args.churn)
const ed25519 = createNodeEd25519()

const http = createServer()
const io = new Server(http)
const treeServer = new PeerTreeServer(io)
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${http.address().port}`
const sockets = []
const socket = () => { const s = connect(url, { transports: ['websocket'], forceNew: true }); sockets.push(s); return s }
console.log(`signalling server on ${url}`)

const feed = await Feed.create(socket(), { wrtc, ed25519, trees: TREES })
console.log(`feed ${feed.key} on ${TREES} trees`)

const peers = []
async function join (name) {
  const sub = await Feed.join(socket(), feed.key, { wrtc, ed25519 })
  const peer = { name, sub, seqs: 0, inOrder: true, latencies: [], left: false, joinedAt: performance.now(), newcomer: started }
  sub.on('entry', ({ seq, data }) => {
    if (seq !== peer.seqs) peer.inOrder = false
    peer.seqs++
    // Live latency only: history a newcomer backfills was appended before it joined.
    if (data.t >= peer.joinedAt) peer.latencies.push(performance.now() - data.t)
  })
  peers.push(peer)
  return peer
}
let started = false
const t0 = performance.now()
await Promise.all(Array.from({ length: PEERS }, (_, i) => join(`p${i}`)))
started = true
await waitFor(() => peers.every((p) => p.sub.stats().trees === TREES), 30_000)
console.log(`${PEERS} subscribers joined all ${TREES} trees in ${Math.round(performance.now() - t0)} ms`)
const treeIDs = Array.from({ length: TREES }, (_, i) => `${feed.key}.${i}`)
console.log(`depth after the joins: ${await depthLine(treeServer, treeIDs)}`)
const forwarding = peers.map((p) => new Set(p.sub.forest.downstreams().map((l) => l.tree)).size)
console.log(`forwarding: ${forwarding.filter((n) => n === 1).length} peers in one tree, ${forwarding.filter((n) => n > 1).length} in several, ${forwarding.filter((n) => n === 0).length} leaves everywhere`)

// Append at RATE entries/s; kill interior peers (and add newcomers) through the middle of the run.
const churnAt = new Set(Array.from({ length: CHURN }, (_, i) => Math.floor(ENTRIES * (0.25 + (0.5 * i) / Math.max(1, CHURN)))))
let killed = 0
const appends = []
for (let i = 0; i < ENTRIES; i++) {
  appends.push(feed.append({ i, t: performance.now(), text: `entry ${i}` }))
  if (churnAt.has(i)) {
    const interior = peers.filter((p) => !p.left && p.sub.forest.downstreams().length > 0)
    const victim = interior[Math.floor(Math.random() * interior.length)]
    if (victim !== undefined) {
      victim.left = true
      victim.sub.close()
      victim.sub.forest.socket.disconnect()
      killed++
      void join(`new${killed}`)
    }
  }
  if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, (20 * 1000) / RATE))
}
await Promise.all(appends)
const members = () => peers.filter((p) => !p.left)
await waitFor(() => members().every((p) => p.seqs >= ENTRIES), 60_000)

// Summary.
const alive = members()
const stats = alive.map((p) => p.sub.stats())
const latencies = alive.filter((p) => !p.newcomer).flatMap((p) => p.latencies).sort((a, b) => a - b)
const newcomerLatencies = alive.filter((p) => p.newcomer).flatMap((p) => p.latencies).sort((a, b) => a - b)
const withinSecond = (xs) => (100 * xs.filter((x) => x <= 1000).length / Math.max(1, xs.length)).toFixed(2)
const q = (xs, f) => xs[Math.min(xs.length - 1, Math.floor(f * xs.length))]
const sum = (f) => stats.reduce((n, s) => n + f(s), 0)
const random = alive[Math.floor(Math.random() * alive.length)]
const report = await verifyLog(random.sub.export(), feed.feedKey)
const src = feed.stats()
const copies = (sum((s) => s.blocks) + sum((s) => s.duplicates)) / sum((s) => s.blocks)
const wireBytes = sum((s) => s.bytesReceived)
console.log('\n=== peer-tree broadcast demo: summary ===')
console.log(`entries appended              ${ENTRIES} in ${src.blocks} signed blocks (${(ENTRIES / src.blocks).toFixed(1)} entries per block)`)
console.log(`subscribers at the end        ${alive.length}: ${killed} interior peers left mid-stream, ${killed} newcomers joined late`)
console.log(`delivered to every peer       ${alive.filter((p) => p.seqs === ENTRIES && p.inOrder).length}/${alive.length} peers got all ${ENTRIES} entries, in order, exactly once`)
console.log(`duplicates dropped            ${sum((s) => s.duplicates)} (${copies.toFixed(2)} copies received per block, m = ${TREES})`)
console.log(`gaps backfilled               ${sum((s) => s.gaps)} ranges asked for, ${sum((s) => s.backfilled)} blocks backfilled, ${sum((s) => s.invalid)} invalid`)
console.log(`latency append -> delivery    median ${q(latencies, 0.5).toFixed(1)} ms, p99 ${q(latencies, 0.99).toFixed(1)} ms, ${withinSecond(latencies)}% within 1 s (peers present throughout, backfilled gaps included)`)
if (newcomerLatencies.length > 0) console.log(`  newcomers, after joining     median ${q(newcomerLatencies, 0.5).toFixed(1)} ms, p99 ${q(newcomerLatencies, 0.99).toFixed(1)} ms, ${withinSecond(newcomerLatencies)}% within 1 s (their first entries wait for their links)`)
console.log(`  (${PEERS + 1} WebRTC peers share this one process and its 2 cores: most of that time is queueing behind each other's sends)`)
console.log(`bytes on the wire per entry   ${(wireBytes / (alive.length * ENTRIES)).toFixed(0)} B received per delivered entry (entry ~40 B of msgpack)`)
console.log(`depth per tree                ${await depthLine(treeServer, treeIDs)}`)
console.log(`log of ${random.name} verified      ${report.ok ? 'ok' : `FAILED: ${report.reason}`}: ${report.blocks} blocks, ${report.entries} entries`)

feed.close()
for (const p of peers) p.sub.close()
for (const s of sockets) s.disconnect()
treeServer.close()
io.close()
process.exit(alive.every((p) => p.seqs === ENTRIES && p.inOrder) && report.ok ? 0 : 1)

async function waitFor (check, ms) {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('the demo timed out waiting for the swarm')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
