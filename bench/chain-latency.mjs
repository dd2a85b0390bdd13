// Per-hop cost, measured side by side in one run: a chain of N relays made of bare simple-peer
// links (each hop writes what it receives to the next), against a feed on one tree with
// k = k1 = 1 (each subscriber receives, dedups, verifies, forwards and delivers). One ~1 KiB
// message or entry every 20 ms; prints the median and p99 latency to the end of the chain,
// and the median added per hop. Run after a build: node bench/chain-latency.mjs [hops=6]
import { io as connect } from 'socket.io-client'
import wrtc from '@roamhq/wrtc'
import { Feed, createNodeEd25519 } from 'peer-tree-broadcast'
import { connectedPair, machine, startSignalServer } from './lib.mjs'

const HOPS = Number(process.argv[2] ?? 6)
const N = 300
const GAP_MS = 20
const PAYLOAD = 'x'.repeat(1000)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const q = (xs, f) => [...xs].sort((a, b) => a - b)[Math.floor(f * (xs.length - 1))]

async function bareChain () {
  const pairs = []
  for (let i = 0; i < HOPS; i++) pairs.push(await connectedPair())
  // Hop i's receiving end forwards to hop i+1's sending end, as a relay would.
  for (let i = 0; i < HOPS - 1; i++) pairs[i][1].on('data', (d) => pairs[i + 1][0].send(d))
  const lat = []
  pairs[HOPS - 1][1].on('data', (d) => { lat.push(performance.now() - JSON.parse(d).t) })
  for (let i = 0; i < N; i++) { pairs[0][0].send(JSON.stringify({ t: performance.now(), p: PAYLOAD })); await sleep(GAP_MS) }
  await sleep(300)
  for (const [a, b] of pairs) { a.destroy(); b.destroy() }
  return lat
}

async function feedChain (url) {
  const ed25519 = createNodeEd25519()
  const sockets = []
  const socket = () => { const s = connect(url, { forceNew: true }); sockets.push(s); return s }
  const source = await Feed.create(socket(), { wrtc, ed25519, trees: 1, k: 1, k1: 1 })
  const subs = []
  for (let i = 0; i < HOPS; i++) {
    const sub = await Feed.join(socket(), source.key, { wrtc, ed25519, from: 'live' })
    subs.push(sub)
    while (sub.stats().trees < 1) await sleep(10)
  }
  const last = subs[HOPS - 1]
  const lat = []
  last.on('entry', ({ data }) => { lat.push(performance.now() - data.t) })
  for (let i = 0; i < N; i++) { await source.append({ t: performance.now(), p: PAYLOAD }); await sleep(GAP_MS) }
  await sleep(300)
  source.close()
  for (const s of subs) s.close()
  for (const s of sockets) s.disconnect()
  return lat
}

const server = await startSignalServer()
const bare = await bareChain()
const feed = await feedChain(server.url)
console.log(`a chain of ${HOPS} hops, ~1 KiB every ${GAP_MS} ms, ${machine}`)
console.log(`bare simple-peer relays   to the end: median ${q(bare, 0.5).toFixed(2)} ms, p99 ${q(bare, 0.99).toFixed(2)} ms; per hop ${(q(bare, 0.5) / HOPS).toFixed(3)} ms`)
console.log(`feed relays (1 tree)      to the end: median ${q(feed, 0.5).toFixed(2)} ms, p99 ${q(feed, 0.99).toFixed(2)} ms; per hop ${(q(feed, 0.5) / HOPS).toFixed(3)} ms`)
console.log(`added by our relay        ${((q(feed, 0.5) - q(bare, 0.5)) / HOPS).toFixed(3)} ms per hop (median; the feed's figure also holds one signature at the source)`)
server.close()
process.exit(0)
