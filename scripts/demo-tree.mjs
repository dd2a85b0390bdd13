// The base-tree demo: a signalling server and a swarm of real WebRTC peers (Node, @roamhq/wrtc)
// joining one tree; the source streams numbered messages down; peers leave and new ones join
// mid-stream; a summary is printed at the end. Everything listens on 127.0.0.1 only.
import { createServer } from 'node:http'
import { parseArgs } from 'node:util'
import { Server } from 'socket.io'
import { io as connect } from 'socket.io-client'
import wrtc from '@roamhq/wrtc'
import PeerTreeServer from 'peer-tree-server'
import PeerTreeClient from 'peer-tree-client'

const { values: args } = parseArgs({
  options: {
    peers: { type: 'string', default: '40' },
    k: { type: 'string', default: '3' },
    k1: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '10' },
    churn: { type: 'string', default: '8' }
  }
})
const PEERS = Number(args.peers)
const K = Number(args.k)
const K1 = Number(args.k1)
const SECONDS = Number(args.seconds)
const CHURN = Number(args.churn)
const INTERVAL_MS = 50

const http = createServer()
const io = new Server(http)
const treeServer = new PeerTreeServer(io, { k: K, k1: K1 })
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${http.address().port}`
console.log(`signalling server on ${url} (k=${K}, k1=${K1})`)

const everyone = []
function makePeer (name) {
  const socket = connect(url, { transports: ['websocket'], forceNew: true })
  const client = new PeerTreeClient(socket, { wrtc })
  const peer = { name, socket, client, seqs: new Set(), firstSeq: null, connectMs: [], disconnects: 0, joinedAt: Date.now(), left: false, discoveredAt: 0 }
  client.on('discover', () => { peer.discoveredAt = performance.now() })
  client.on('disconnect', () => { peer.disconnects++ })
  client.on('upstreamPeer', (up) => {
    peer.connectMs.push(performance.now() - peer.discoveredAt)
    up.on('data', (chunk) => {
      const seq = Number(String(chunk))
      if (peer.firstSeq === null) peer.firstSeq = seq
      peer.seqs.add(seq)
      client.write(chunk) // relay to our own downstream peers
    })
  })
  everyone.push(peer)
  return peer
}

const source = makePeer('source')
source.client.create()
const treeID = await new Promise((resolve) => source.client.once('discover', resolve))
console.log(`tree ${treeID} created`)

function join (peer) {
  return new Promise((resolve) => {
    peer.client.once('upstreamPeer', resolve)
    peer.client.connect(treeID)
  })
}
const started = performance.now()
await Promise.all(Array.from({ length: PEERS }, (_, i) => join(makePeer(`p${i}`))))
console.log(`${PEERS} peers joined and connected in ${Math.round(performance.now() - started)} ms`)

// Stream numbered messages; churn in the middle third of the run.
let seq = 0
const ticker = setInterval(() => { source.client.write(String(seq++)) }, INTERVAL_MS)
const churnStart = (SECONDS * 1000) / 3
const churnGap = churnStart / Math.max(1, CHURN)
let newcomers = 0
for (let i = 0; i < CHURN; i++) {
  setTimeout(() => {
    const alive = everyone.filter((p) => p !== source && !p.left)
    const victim = alive[Math.floor(Math.random() * alive.length)]
    victim.left = true
    victim.client.destroy()
    victim.socket.disconnect()
    void join(makePeer(`new${newcomers++}`))
  }, churnStart + i * churnGap)
}
await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000))
clearInterval(ticker)
await new Promise((resolve) => setTimeout(resolve, 500)) // let the last messages land

// Summary.
const snapshot = await treeServer.snapshot(treeID)
const depths = snapshot.peers.filter((p) => p.parent !== null).map((p) => p.depth)
const histogram = {}
for (const d of depths) histogram[d] = (histogram[d] ?? 0) + 1
const members = everyone.filter((p) => p !== source && !p.left)
const ratios = members.map((p) => {
  const expected = seq - (p.firstSeq ?? seq)
  return expected > 0 ? p.seqs.size / expected : 1
})
const connectTimes = members.flatMap((p) => p.connectMs).sort((a, b) => a - b)
const pct = (xs, q) => xs.length === 0 ? NaN : xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]
const complete = ratios.filter((r) => r >= 1).length
console.log('\n=== peer-tree base demo: summary ===')
console.log(`peers in the tree at the end   ${members.length} (+ source); ${CHURN} left and ${newcomers} joined mid-stream`)
console.log(`depth (peers per level)        ${Object.entries(histogram).map(([d, n]) => `${d}:${n}`).join('  ')}  (max ${Math.max(...depths)})`)
console.log(`messages sent by the source    ${seq}`)
console.log(`delivered per peer (since it   min ${(100 * Math.min(...ratios)).toFixed(1)}%  median ${(100 * pct([...ratios].sort((a, b) => a - b), 0.5)).toFixed(1)}%  `)
console.log(`  first received a message)    ${complete}/${members.length} peers got every message (one tree, no backfill: see peer-tree-broadcast)`)
console.log(`reconnections                  ${members.reduce((n, p) => n + p.disconnects, 0)} disconnect events across surviving peers`)
console.log(`connect time per link          median ${pct(connectTimes, 0.5).toFixed(0)} ms  p90 ${pct(connectTimes, 0.9).toFixed(0)} ms  (discover → upstreamPeer, ${connectTimes.length} links)`)
console.log(`server                         ${JSON.stringify(treeServer.stats())}`)

for (const p of everyone) { p.client.destroy(); p.socket.disconnect() }
treeServer.close()
io.close()
