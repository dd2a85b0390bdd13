// Per-hop cost, measured side by side in one run: a chain of N relays made of bare simple-peer
// links (each hop writes what it receives to the next), against a feed on one tree with
// k = k1 = 1 (each subscriber receives, dedups, verifies, forwards and delivers). One ~1 KiB
// message or entry every 20 ms. The sides take turns (bare, feed, bare, feed, ...: `--rounds`
// of each), so that a load that comes and goes hits both. Prints the median and p99 latency to
// the end of each chain over all rounds, each round's median, and the median added per hop.
// A third side is the same feed with a verifier that accepts every signature without checking
// it: what the signature check costs per hop, in the same run (a measurement only: a relay
// must verify before it forwards). `--baseline <dir>` adds a side in every round: the feed of
// another built checkout (bench/checkout.mjs), for a before/after in the same run.
// Run after a build: node bench/chain-latency.mjs [hops=6] [--rounds 2] [--baseline <dir>]
import { parseArgs } from 'node:util'
import { io as connect } from 'socket.io-client'
import wrtc from '@roamhq/wrtc'
import { importBroadcast } from './checkout.mjs'
import { connectedPair, machine, startSignalServer } from './lib.mjs'
import { reportFigures } from './report.mjs'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '2' }, baseline: { type: 'string' } }
})
const HOPS = Number(positionals[0] ?? 6)
const ROUNDS = Number(values.rounds)
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

async function feedChain ({ Feed, createNodeEd25519 }, url, { checkSignatures = true } = {}) {
  const real = createNodeEd25519()
  const ed25519 = checkSignatures ? real : { ...real, verifySync: () => true, verify: async () => true }
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
  await sleep(1500) // the closing feeds linger (LEAVE_LINGER_MS) before their connections go
  return lat
}

const current = await importBroadcast(undefined)
const baseline = values.baseline === undefined ? undefined : await importBroadcast(values.baseline)
const server = await startSignalServer()
const sides = [
  { name: 'bare', label: 'bare simple-peer relays', run: bareChain },
  { name: 'feed', label: 'feed relays (1 tree)', run: () => feedChain(current, server.url) },
  { name: 'unverified', label: 'the same, signatures unchecked', run: () => feedChain(current, server.url, { checkSignatures: false }) },
  ...(baseline === undefined ? [] : [{ name: 'baseline', label: 'baseline feed relays', run: () => feedChain(baseline, server.url) }])
]
const latencies = Object.fromEntries(sides.map((s) => [s.name, []]))
const roundMedians = Object.fromEntries(sides.map((s) => [s.name, []]))
for (let round = 0; round < ROUNDS; round++) {
  for (const side of sides) {
    const lat = await side.run()
    latencies[side.name].push(...lat)
    roundMedians[side.name].push(Number((q(lat, 0.5) / HOPS).toFixed(3)))
  }
}

const perHop = (name) => q(latencies[name], 0.5) / HOPS
const figures = { hops: HOPS, rounds: ROUNDS, messages: N, gapMs: GAP_MS }
console.log(`a chain of ${HOPS} hops, ~1 KiB every ${GAP_MS} ms, ${ROUNDS} rounds of each side in turn, ${machine}`)
for (const side of sides) {
  const lat = latencies[side.name]
  const rounds = roundMedians[side.name].map((x) => x.toFixed(3)).join(', ')
  console.log(`${side.label.padEnd(31)} to the end: median ${q(lat, 0.5).toFixed(2)} ms, p99 ${q(lat, 0.99).toFixed(2)} ms; per hop ${perHop(side.name).toFixed(3)} ms (rounds: ${rounds})`)
  // Flat keys: the runner's table shows them one by one.
  figures[`${side.name}MedianHopMs`] = perHop(side.name)
  figures[`${side.name}EndP99Ms`] = q(lat, 0.99)
  figures[`${side.name}RoundsHopMs`] = roundMedians[side.name]
}
figures.addedPerHopMs = perHop('feed') - perHop('bare')
figures.verifyPerHopMs = perHop('feed') - perHop('unverified')
console.log(`added by our relay              ${figures.addedPerHopMs.toFixed(3)} ms per hop (median; the feed's figure also holds one signature at the source)`)
console.log(`of which the signature check    ${figures.verifyPerHopMs.toFixed(3)} ms per hop (feed against the same feed with signatures unchecked)`)
if (baseline !== undefined) {
  figures.baselineAddedPerHopMs = perHop('baseline') - perHop('bare')
  console.log(`added by the baseline's         ${figures.baselineAddedPerHopMs.toFixed(3)} ms per hop`)
}
reportFigures('chain-latency', figures)
server.close()
process.exit(0)
