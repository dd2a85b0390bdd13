/**
 * `npm run simulate -- --validate`: the real churn demo (scripts/lib/churn-run.mjs: 24 real
 * WebRTC subscribers in this process, 3 trees, 2,000 entries at ~400/s in bursts of 20,
 * 8 interior peers leaving mid-stream and 8 newcomers) and the same scenario simulated,
 * printed side by side: once on a loopback-like network (what the demo runs on) and once on
 * the 50 ms internet model. docs/simulator.md says where and why the columns differ.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { DEFAULT_SCENARIO, type Scenario } from './scenario.js'
import { simulate } from './simulation.js'
import { formatTable, settingsNote, type SimResult } from './report.js'

/** The demo's figures this comparison reads (churn-run.mjs returns more). */
export interface DemoFigures {
  entries: number
  blocks: number
  alive: number
  killed: number
  deliveredAll: number
  deliveredEntries: number
  latency: { median: number, p99: number, withinSecond: number }
  newcomerLatency: { n: number, median: number, p99: number, withinSecond: number }
  copiesPerBlock: number
  gaps: number
  backfilled: number
  served: number
  sourceServed: number
  bytesReceived: number
  sourceBytesSent: number
  depths: Array<{ tree: number, depth: number, optimum: number, relayDepth: number, relayOptimum: number }>
  cpuMs: number
  rssPeakMiB: number
}

/** The demo's scenario, for the simulator. */
export function demoScenario (network: 'loopback' | 'internet'): Scenario {
  const sc = structuredClone(DEFAULT_SCENARIO)
  // The demo's newcomers join with from: 'start' and backfill the whole history.
  Object.assign(sc, { peers: 24, trees: 3, k: 3, k1: 4, entries: 2_000, rate: 400, burst: 20, entryBytes: 40, joinWindowMs: 50, newcomersFrom: 'start' })
  sc.churn = { ...sc.churn, sessions: 'none', interior: 8 }
  if (network === 'loopback') {
    // One machine, one process: next to no latency, and every message costs CPU time
    // (a bare simple-peer hop is ~0.3 ms here, ours adds verification and copies).
    sc.network = { ...sc.network, latencyMs: 0.1, latencySigma: 0.2, serverRttMs: 0.2, uploadClasses: [{ mbps: 1_000, share: 1 }], sourceMbps: 1_000, messageCostMs: 0.5 }
  }
  return sc
}

export async function validate (json: boolean, log: (line: string) => void): Promise<void> {
  const root = repositoryRoot(import.meta.dirname)
  const demo = await import(pathToFileURL(join(root, 'scripts/lib/churn-run.mjs')).href) as { runChurn: (opts: object) => Promise<DemoFigures> }
  log('the real demo: 24 WebRTC subscribers, 3 trees, 2,000 entries, 8 interior peers leave')
  const real = await demo.runChurn({ log: (line: string) => log(`  [real] ${line}`) })
  log('the same scenario simulated, on a loopback-like network and on the 50 ms model')
  const loopback = await simulate(demoScenario('loopback'))
  const internet = await simulate(demoScenario('internet'))
  if (json) {
    console.log(JSON.stringify({ real, simulated: { loopback, internet } }, (_k, v: unknown) => typeof v === 'number' && !Number.isFinite(v) ? null : v, 2))
    return
  }
  console.log(formatTable(comparisonRows(real, [loopback, internet]).map(([a, ...b]) => [a ?? '', b.map((x) => x.padEnd(30)).join('')]),
    ['', ['real demo (loopback)', 'simulated, loopback model', 'simulated, 50 ms model'].map((x) => x.padEnd(30)).join('')]))
  console.log(settingsNote(loopback))
}

const ms = (x: number): string => Number.isFinite(x) ? `${x.toFixed(1)} ms` : '-'
const pct = (x: number): string => Number.isFinite(x) ? `${x.toFixed(2)} %` : '-'

/** One row per figure: the real run's value, then each simulated run's. */
export function comparisonRows (real: DemoFigures, sims: SimResult[]): string[][] {
  const rows: string[][] = [
    ['entries in blocks', `${real.entries} in ${real.blocks}`, ...sims.map((s) => `${s.entries} in ${s.blocks}`)],
    ['got every entry', `${real.deliveredAll}/${real.alive}`, ...sims.map((s) => `${s.complete}/${s.survivors}`)],
    ['entries delivered', pct((100 * real.deliveredEntries) / Math.max(1, real.alive * real.entries)), ...sims.map((s) => pct(100 * s.deliveryRatio))],
    ['latency median / p99', `${ms(real.latency.median)} / ${ms(real.latency.p99)}`, ...sims.map((s) => `${ms(s.latencyP50Ms)} / ${ms(s.latencyP99Ms)}`)],
    ['within 1 s, present throughout', pct(real.latency.withinSecond), ...sims.map((s) => pct(100 * s.onTimeRatio))],
    ['within 1 s, newcomers', pct(real.newcomerLatency.withinSecond), ...sims.map((s) => pct(100 * s.onTimeRatioNewcomers))]
  ]
  for (let t = 0; t < real.depths.length; t++) {
    const r = real.depths[t]
    rows.push([`tree ${t}: depth (opt.), relays (opt.)`, r === undefined ? '-' : `${r.depth} (${r.optimum}), ${r.relayDepth} (${r.relayOptimum})`,
      ...sims.map((s) => { const d = s.depths[t]; return d === undefined ? '-' : `${d.depth} (${d.optimum}), ${d.relayDepth} (${d.relayOptimum})` })])
  }
  rows.push(
    ['copies per block', real.copiesPerBlock.toFixed(2), ...sims.map((s) => s.copiesPerEntry.toFixed(2))],
    ['bytes received per entry', `${(real.bytesReceived / Math.max(1, real.alive * real.entries)).toFixed(0)} B`, ...sims.map((s) => `${s.bytesPerEntry.toFixed(0)} B`)],
    ['sent by the source', `${(real.sourceBytesSent / 2 ** 20).toFixed(1)} MiB`, ...sims.map((s) => `${(s.source.bytesSent / 2 ** 20).toFixed(1)} MiB`)],
    ['gaps asked, blocks backfilled', `${real.gaps}, ${real.backfilled}`, ...sims.map((s) => `${s.gaps}, ${s.backfilled}`)],
    ['blocks the source served', `${real.sourceServed}`, ...sims.map((s) => `${s.source.served}`)],
    ['CPU time, peak RSS', `${(real.cpuMs / 1000).toFixed(1)} s, ${real.rssPeakMiB.toFixed(0)} MiB`, ...sims.map((s) => `${s.wallSeconds.toFixed(1)} s wall, ${s.peakRssMiB.toFixed(0)} MiB`)]
  )
  return rows
}

/** The repository's root above `dir` (run from sim/, or bundled under node_modules/.cache). */
function repositoryRoot (dir: string): string {
  for (let d = dir; d !== dirname(d); d = dirname(d)) if (existsSync(join(d, 'pnpm-workspace.yaml'))) return d
  throw new Error(`no repository root above ${dir}`)
}
