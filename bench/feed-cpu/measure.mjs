// One side of the CPU bench, in a child process of its own (so process.cpuUsage is that side's
// alone): builds its swarm, measures the idle cost, then publishes at each rate and measures
// CPU per delivered block. Prints one JSON line. Started by bench/feed-cpu.mjs:
//   node bench/feed-cpu/measure.mjs <feed|bare> <options as JSON> [checkout dir]
// The signalling server runs in this process too (its idle cost is in every side's figures):
// with it in another process, 25 feeds joining at once in @roamhq/wrtc ran out of file
// descriptors (20,000), measured.
import { importBroadcast } from '../checkout.mjs'
import { startSignalServer } from '../lib.mjs'
import { bareSwarm, feedSwarm } from './swarms.mjs'

const [kind, optionsJson, checkout] = process.argv.slice(2)
const options = JSON.parse(optionsJson)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const cpuMs = (since) => { const c = process.cpuUsage(since); return (c.user + c.system) / 1000 }

/** An entry of `bytes` bytes whose first four carry its sequence number. */
function entry (seq, bytes) {
  const b = Buffer.alloc(bytes, 0x61)
  b.writeUInt32BE(seq, 0)
  return b
}

const server = await startSignalServer()
const swarm = kind === 'bare' ? await bareSwarm(options) : await feedSwarm(await importBroadcast(checkout), server.url, options)
await sleep(options.settleMs) // links that were just made, and the trees' first repairs, settle

const idle0 = process.cpuUsage()
const idleT0 = performance.now()
await sleep(options.idleSeconds * 1000)
const idleCpuMsPerSecond = cpuMs(idle0) / ((performance.now() - idleT0) / 1000)

let seq = 0
const rates = []
for (const rate of options.rates) {
  const entries = Math.round(rate * options.seconds)
  const deliveries0 = swarm.deliveries
  const blocks0 = swarm.blocks()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  // On a schedule, not after each wait: a late timer does not lower the rate.
  for (let i = 0; i < entries; i++) {
    const due = t0 + (i * 1000) / rate
    const wait = due - performance.now()
    if (wait > 0) await sleep(wait)
    swarm.publish(entry(seq++, options.entryBytes))
  }
  await sleep(1000) // the last entries reach everyone; the idle second after is counted too
  const ms = cpuMs(cpu0)
  const wallMs = performance.now() - t0
  const delivered = swarm.deliveries - deliveries0
  const blocks = swarm.blocks() - blocks0
  // A block of several entries reaches each receiver once: count delivered blocks, not entries.
  const deliveredBlocks = delivered * (blocks / Math.max(1, entries))
  rates.push({
    rate,
    entries,
    blocks,
    deliveryRatio: delivered / (entries * options.subscribers),
    cpuMs: ms,
    cores: ms / wallMs,
    cpuUsPerBlock: (1000 * ms) / Math.max(1, deliveredBlocks),
    // What the deliveries cost over the idle cost of the same time.
    busyCpuUsPerBlock: (1000 * (ms - (idleCpuMsPerSecond * wallMs) / 1000)) / Math.max(1, deliveredBlocks)
  })
}
swarm.close()
server.close()
process.stdout.write(`${JSON.stringify({ treesUp: swarm.treesUp, failures: swarm.failures, idleCpuMsPerSecond, rates })}\n`)
setTimeout(() => process.exit(0), 200)
