/**
 * `npm run simulate -- --plots <dir> [scenario options]`: the simulator's plots, as SVG.
 * - sim-latency-by-depth.svg: latency p50 and p99 by depth, from one run of the scenario;
 * - sim-delivery-vs-churn.svg and sim-on-time-vs-churn.svg: for m = 1..4 trees (with
 *   backfill) and 1 tree without it, the share of entries delivered in the end and within
 *   1 s, against the churn rate (fraction of the peers leaving per minute, each replaced).
 * Every point is one seeded run of the given scenario with only m and the churn rate changed.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Scenario } from './scenario.js'
import { simulate } from './simulation.js'
import { linePlot, type Series } from './svg-plot.js'
import type { SimResult } from './report.js'

export const CHURN_RATES = [0, 0.1, 0.2, 0.4, 0.8]
export const TREE_COUNTS = [1, 2, 3, 4]

const percent = (v: number): string => `${Number((100 * v).toPrecision(4))} %`

export async function writePlots (dir: string, base: Scenario, log: (line: string) => void): Promise<void> {
  await mkdir(dir, { recursive: true })
  log(`latency by depth: one run of ${base.peers} peers, ${base.trees} trees`)
  const one = await simulate(base)
  await writeFile(join(dir, 'sim-latency-by-depth.svg'), latencyByDepthPlot(one, base))
  const runs: Array<{ label: string, dashed: boolean, points: Array<{ churn: number, r: SimResult }> }> = []
  const configs = [...TREE_COUNTS.map((m) => ({ m, backfill: true })), { m: 1, backfill: false }]
  for (const { m, backfill } of configs) {
    const line = { label: `m = ${m}${backfill ? '' : ', no backfill'}`, dashed: !backfill, points: [] as Array<{ churn: number, r: SimResult }> }
    for (const churn of CHURN_RATES) {
      const sc: Scenario = { ...structuredClone(base), trees: m, backfill, churn: { ...base.churn, sessions: churn === 0 ? 'none' : base.churn.sessions === 'none' ? 'poisson' : base.churn.sessions, ratePerMin: churn } }
      const r = await simulate(sc)
      log(`${line.label}, churn ${percent(churn)}/min: delivered ${percent(r.deliveryRatio)}, on time ${percent(r.onTimeRatio)} (${r.wallSeconds.toFixed(0)} s)`)
      line.points.push({ churn, r })
    }
    runs.push(line)
  }
  const sweep = (pick: (r: SimResult) => number): Series[] => runs.map((l) => ({ name: l.label, dashed: l.dashed, points: l.points.map((p) => [100 * p.churn, pick(p.r)] as [number, number]) }))
  const lowest = (pick: (r: SimResult) => number): number => Math.min(...runs.flatMap((l) => l.points.map((p) => pick(p.r))).filter(Number.isFinite))
  const size = `${base.peers} peers, k = ${base.k}, ${base.entries} entries at ${base.rate}/s, ${base.network.latencyMs} ms median latency`
  await writeFile(join(dir, 'sim-delivery-vs-churn.svg'), linePlot({
    title: `Entries delivered in the end (${size})`,
    xLabel: 'peers leaving per minute (%), each replaced by a newcomer',
    yLabel: 'delivered / owed, survivors',
    series: sweep((r) => r.deliveryRatio),
    y: [Math.min(0.9, Math.floor(lowest((r) => r.deliveryRatio) * 20) / 20), 1],
    yFormat: percent
  }))
  await writeFile(join(dir, 'sim-on-time-vs-churn.svg'), linePlot({
    title: `Entries delivered within 1 s (${size})`,
    xLabel: 'peers leaving per minute (%), each replaced by a newcomer',
    yLabel: 'within 1 s / owed, peers present throughout',
    series: sweep((r) => r.onTimeRatio),
    y: [Math.min(0.9, Math.floor(lowest((r) => r.onTimeRatio) * 20) / 20), 1],
    yFormat: percent
  }))
  log(`wrote ${['sim-latency-by-depth.svg', 'sim-delivery-vs-churn.svg', 'sim-on-time-vs-churn.svg'].map((f) => join(dir, f)).join(', ')}`)
}

function latencyByDepthPlot (r: SimResult, sc: Scenario): string {
  const known = r.latencyByDepth.filter((d) => d.depth > 0)
  return linePlot({
    title: `Latency by depth (${sc.peers} peers, m = ${sc.trees}, k = ${sc.k}, ${sc.network.latencyMs} ms median link latency, ${100 * sc.churn.ratePerMin} % leaving per minute)`,
    xLabel: "subscriber's shallowest depth over its trees",
    yLabel: 'latency from append to delivery (ms)',
    series: [
      { name: 'p50', points: known.map((d) => [d.depth, d.p50Ms]) },
      { name: 'p99', points: known.map((d) => [d.depth, d.p99Ms]) }
    ],
    width: 820
  })
}
