// CPU time (process.cpuUsage, user + system) per delivered block at low rates, and what an idle
// swarm costs per second: a feed of N subscribers (3 trees, the defaults otherwise, blocks of
// one entry of 100 B when paced) and a bare tree of simple-peer relays in the same shape
// (bench/feed-cpu/swarms.mjs), each side in a child process of its own (bench/feed-cpu/
// measure.mjs) with its own signalling server. The sides take turns, `--rounds` of
// each (ABAB), so a load that comes and goes hits all of them.
// `--baseline <dir>` adds the feed of another built checkout (bench/checkout.mjs): a before and
// an after in one run. Per rate: CPU µs per delivered block (all the process spent from the
// first publish until 1 s after the last, over the blocks the receivers delivered), the same
// less the idle cost of that time, and the cores used.
// Run after a build: node bench/feed-cpu.mjs [--subscribers 24] [--trees 3] [--rates 20,100]
//   [--seconds 10] [--idle-seconds 5] [--rounds 2] [--baseline <dir>] [--no-bare]
import { parseArgs } from 'node:util'
import { runJsonChild } from './child-json.mjs'
import { machine } from './lib.mjs'
import { reportFigures } from './report.mjs'

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '24' },
    trees: { type: 'string', default: '3' },
    rates: { type: 'string', default: '20,100' },
    seconds: { type: 'string', default: '10' },
    'idle-seconds': { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    baseline: { type: 'string' },
    'no-bare': { type: 'boolean', default: false }
  }
})
const options = {
  subscribers: Number(values.subscribers),
  trees: Number(values.trees),
  rates: values.rates.split(',').map(Number),
  seconds: Number(values.seconds),
  idleSeconds: Number(values['idle-seconds']),
  entryBytes: 100,
  settleMs: 3000
}
const rounds = Number(values.rounds)
const sides = [
  ...(values.baseline === undefined ? [] : [{ name: 'baseline', args: ['feed', values.baseline] }]),
  { name: 'current', args: ['feed'] },
  ...(values['no-bare'] ? [] : [{ name: 'bare', args: ['bare'] }])
]

/** Runs one side in a child process; resolves with what it printed last (its JSON line). */
function measure ([kind, checkout]) {
  const args = [kind, JSON.stringify(options), ...(checkout === undefined ? [] : [checkout])]
  return runJsonChild(new URL('./feed-cpu/measure.mjs', import.meta.url), args, kind)
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
const f1 = (x) => x.toFixed(1)

console.log(`${options.subscribers} receivers, ${options.trees} trees, ${options.entryBytes} B entries at ${options.rates.join(' and ')}/s for ${options.seconds} s each, idle ${options.idleSeconds} s; ${rounds} rounds of ${sides.map((s) => s.name).join(', ')} in turn; ${machine}`)
const runs = Object.fromEntries(sides.map((s) => [s.name, []]))
for (let round = 0; round < rounds; round++) {
  for (const side of sides) {
    // A side whose process died is run once more, and says so: @roamhq/wrtc now and then runs
    // out of file descriptors while 24 feeds join at once (~7,000 sockets when all is well).
    const r = await measure(side.args).catch((err) => {
      console.log(`round ${round + 1} ${side.name}: ${err.message}; running it again`)
      return measure(side.args)
    })
    runs[side.name].push(r)
    const perRate = r.rates.map((x) => `${x.rate}/s ${f1(x.cpuUsPerBlock)} µs/block (${x.cores.toFixed(2)} cores, delivered ${(100 * x.deliveryRatio).toFixed(1)}%)`).join('; ')
    console.log(`round ${round + 1} ${side.name.padEnd(8)} idle ${f1(r.idleCpuMsPerSecond)} ms/s; ${perRate}${r.treesUp ? '' : ' (not every tree was up)'}`)
  }
}

const figures = { subscribers: options.subscribers, trees: options.trees, entryBytes: options.entryBytes, seconds: options.seconds, rounds }
for (const side of sides) {
  const rs = runs[side.name]
  const out = { idleCpuMsPerSecond: mean(rs.map((r) => r.idleCpuMsPerSecond)), idleRounds: rs.map((r) => Math.round(r.idleCpuMsPerSecond)) }
  options.rates.forEach((rate, i) => {
    const at = rs.map((r) => r.rates[i])
    out[`at${rate}`] = {
      cpuUsPerBlock: mean(at.map((x) => x.cpuUsPerBlock)),
      busyCpuUsPerBlock: mean(at.map((x) => x.busyCpuUsPerBlock)),
      cores: mean(at.map((x) => x.cores)),
      deliveryRatio: Math.min(...at.map((x) => x.deliveryRatio)),
      rounds: at.map((x) => Math.round(x.cpuUsPerBlock))
    }
  })
  figures[side.name] = out
}
console.log('means over the rounds:')
for (const side of sides) {
  const s = figures[side.name]
  const perRate = options.rates.map((rate) => `${rate}/s ${f1(s[`at${rate}`].cpuUsPerBlock)} µs/block (less idle ${f1(s[`at${rate}`].busyCpuUsPerBlock)}), ${s[`at${rate}`].cores.toFixed(2)} cores`).join('; ')
  console.log(`  ${side.name.padEnd(8)} idle ${f1(s.idleCpuMsPerSecond)} ms/s; ${perRate}`)
}
if (figures.baseline !== undefined) {
  const ratio = { idle: figures.current.idleCpuMsPerSecond / figures.baseline.idleCpuMsPerSecond }
  for (const rate of options.rates) ratio[`at${rate}`] = figures.current[`at${rate}`].cpuUsPerBlock / figures.baseline[`at${rate}`].cpuUsPerBlock
  figures.currentOverBaseline = ratio
  console.log(`  current / baseline: ${Object.entries(ratio).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`)
}
reportFigures('feed-cpu', figures)
process.exit(0)
