// The same workload on a peer-tree feed and on js-libp2p gossipsub 14, one after the other in
// one run, each side in a child process of its own (bench/compare/run-side.mjs): one
// publisher and 24 receivers in that process, 2,000 entries of 100 B at 400/s
// (20 every 50 ms). gossipsub: D = 6, StrictSign, TCP on 127.0.0.1 (bench/compare/
// gossipsub-swarm.mjs); the feed: 3 trees over @roamhq/wrtc data channels and a socket.io
// server (bench/compare/feed-swarm.mjs). Prints, per side, CPU ms per delivery (the process's
// CPU time from the first publish until 1 s after the last delivery, over deliveries), median
// and p99 latency, copies and bytes received per delivered entry, the delivery ratio; and the
// ratios. docs/benchmarks.md says how each is counted and why they differ.
// Run after a build: node bench/gossipsub.mjs [--entries 2000] [--rate 400] [--burst 20]
//   [--entry-bytes 100] [--receivers 24] [--dials 4] [--only feed|gossipsub]
import { parseArgs } from 'node:util'
import { describeMachine } from './runner/machine.mjs'
import { machineLine } from './runner/table.mjs'
import { reportFigures } from './report.mjs'
import { runJsonChild } from './child-json.mjs'
import { DEFAULT_WORKLOAD, FEED_SETTINGS, GOSSIPSUB_SETTINGS, ratios } from './compare/workload.mjs'

const { values } = parseArgs({
  options: {
    entries: { type: 'string' },
    rate: { type: 'string' },
    burst: { type: 'string' },
    'entry-bytes': { type: 'string' },
    receivers: { type: 'string' },
    dials: { type: 'string', default: '4' },
    only: { type: 'string' }
  }
})
const pick = (key, name = key) => (values[name] === undefined ? DEFAULT_WORKLOAD[key] : Number(values[name]))
const workload = {
  receivers: pick('receivers'),
  entries: pick('entries'),
  rate: pick('rate'),
  burst: pick('burst'),
  entryBytes: pick('entryBytes', 'entry-bytes')
}
const dials = Number(values.dials)

const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : String(x))
function print (name, { figures: f, setup }) {
  console.log(`${name.padEnd(10)} CPU ${fmt(f.cpuMsPerDelivery, 3)} ms/delivery (${fmt(f.cpuMs / 1000, 1)} s)  latency median ${fmt(f.latencyP50Ms, 1)} ms p99 ${fmt(f.latencyP99Ms, 1)} ms  copies ${fmt(f.copiesPerEntry)}/entry  ${fmt(f.bytesPerEntry, 0)} B/entry  delivered ${fmt(100 * f.deliveryRatio, 2)}%`)
  console.log(`${''.padEnd(10)} idle ${fmt(setup.idleCpuMsPerSecond, 0)} CPU ms/s before the first publish; ${JSON.stringify(setup)}`)
}

console.log(`${workload.receivers + 1} nodes in one process per side (${machineLine(describeMachine())}), ${workload.entries} entries of ${workload.entryBytes} B at ${workload.rate}/s, ${workload.burst} at a time`)
console.log(`feed: ${JSON.stringify(FEED_SETTINGS)}; gossipsub: ${JSON.stringify(GOSSIPSUB_SETTINGS)}, each node dials ${dials} others`)
/** Runs one side in a child process (bench/compare/run-side.mjs); resolves with its `{ figures, setup }`. */
function runSide (side, options) {
  return runJsonChild(new URL('./compare/run-side.mjs', import.meta.url), [side, JSON.stringify(workload), JSON.stringify(options)], side)
}

const result = { workload: { ...workload, dials } }
for (const side of ['feed', 'gossipsub']) {
  if (values.only !== undefined && values.only !== side) continue
  const run = await runSide(side, side === 'gossipsub' ? { dials } : {})
  print(side, run)
  result[side] = run.figures
  result[`${side}Setup`] = run.setup
}
if (result.feed !== undefined && result.gossipsub !== undefined) {
  result.ratios = ratios(result.gossipsub, result.feed)
  const r = result.ratios
  console.log(`gossipsub / feed: CPU per delivery ${fmt(r.cpuPerDelivery, 1)}x, median latency ${fmt(r.latencyP50, 1)}x, p99 ${fmt(r.latencyP99, 1)}x, copies ${fmt(r.copiesPerEntry, 1)}x, bytes ${fmt(r.bytesPerEntry, 1)}x`)
}
reportFigures('gossipsub', result)
// No timing is judged here; a side that delivered nothing makes the comparison void, though.
const empty = ['feed', 'gossipsub'].filter((side) => result[side] !== undefined && result[side].deliveries === 0)
if (empty.length > 0) console.error(`no entry delivered on: ${empty.join(', ')} (${empty.map((side) => JSON.stringify(result[`${side}Setup`])).join('; ')})`)
process.exit(empty.length > 0 ? 1 : 0)
