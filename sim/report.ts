/**
 * The figures of a run: summarised from what the simulation measured (delivery, latency by
 * depth, depths per tree against the breadth-first optimum, copies and bytes per entry,
 * upload per peer, repair times) into one JSON-safe object, and printed as a table.
 */
import type { SilentPeer, SourcePeer, SubscriberPeer } from './feed-glue.js'
import { quantiles } from './histogram.js'
import type { Scenario } from './scenario.js'
import type { Simulation } from './simulation.js'
import type { ServerCounters } from './server-driver.js'
import type { TreeDepthReport } from './tree-depths.js'

export interface SimResult {
  peers: number
  trees: number
  k: number
  entries: number
  /** Entries appended per second, and at once (a burst the source signs into fewer blocks). */
  rate: number
  burst: number
  blocks: number
  seed: number
  backfill: boolean
  /** Subscribers present at the end, and how many of them got every entry they were owed. */
  survivors: number
  complete: number
  /** Entries delivered over entries owed, survivors only. */
  deliveryRatio: number
  /** Entries delivered within 1 s of their append over entries owed: peers present throughout. */
  onTimeRatio: number
  /** The same for newcomers (they joined during the stream), over the entries appended after they joined. */
  onTimeRatioNewcomers: number
  latencyP50Ms: number
  latencyP99Ms: number
  latencyByDepth: Array<{ depth: number, deliveries: number, p50Ms: number, p99Ms: number }>
  depths: TreeDepthReport[]
  /** Every tree's relays sit at the breadth-first optimum for their number (at the end). */
  depthAtOptimum: boolean
  /** The same once the initial peers were placed, before churn and the first append. */
  depthsAtPlacement: TreeDepthReport[]
  depthAtOptimumAtPlacement: boolean
  /** Copies of each entry received (its block's copies), survivors. */
  copiesPerEntry: number
  /** Bytes received per delivered entry, survivors. */
  bytesPerEntry: number
  /** What the source sent in all, and the blocks it sent in answer to WANTs. */
  source: { bytesSent: number, served: number }
  /** Upload per surviving subscriber over the stream, bytes per second. */
  uploadBytesPerS: { p50: number, p99: number, max: number, source: number }
  /** From a parent's departure (or an upstream lost) to the next upstream link in that tree. */
  repairMs: { count: number, p50: number, p99: number, max: number }
  churn: { departures: number, arrivals: number, massDepartures: number, flash: number }
  backfilled: number
  gaps: number
  /** Upstreams the survivors dropped for what they did (silent, lagging) and blocks they rejected. */
  invalid: number
  /** Child links the silent relays took. */
  silentChildren: number
  server: ServerCounters
  links: { opened: number, connected: number, timedOut: number, medianLatencyMs: number, setupP50Ms: number }
  /** Signature checks answered from the simulator's memo, and done for real. */
  memoizedChecks: { hits: number, real: number }
  simulated: { placedS: number, firstAppendS: number, lastAppendS: number, endS: number, events: number }
  settings: Scenario['feed']
  wallSeconds: number
  /** CPU time of the process over the run (the machine may be shared: wall time then says less). */
  cpuSeconds: number
  peakRssMiB: number
}

export function summarize (run: Simulation, cost: { wallSeconds: number, cpuSeconds: number, peakRssMiB: number }): SimResult {
  const sc = run.scenario
  let owed = 0
  let delivered = 0
  let owedOld = 0
  let onTimeOld = 0
  let owedNew = 0
  let onTimeNew = 0
  let survivors = 0
  let complete = 0
  let blocks = 0
  let copies = 0
  let bytesIn = 0
  let backfilled = 0
  let gaps = 0
  let invalid = 0
  let silentChildren = 0
  const uploads: number[] = []
  const streamS = Math.max(1e-3, (run.times.endMs - run.times.firstAppendMs) / 1000)
  for (const [node, feed] of run.feeds) if (node.kind === 'silent') silentChildren += (feed as SilentPeer).children
  for (const [node, r] of run.records) {
    if (node.gone) continue
    survivors++
    const mine = sc.entries - r.fromSeq
    const live = sc.entries - r.liveFromSeq
    owed += mine
    delivered += r.delivered
    if (r.delivered >= mine) complete++
    if (r.newcomer) { owedNew += live; onTimeNew += r.onTime } else { owedOld += live; onTimeOld += r.onTime }
    const feed = run.feeds.get(node) as SubscriberPeer | undefined
    if (feed === undefined) continue
    const s = feed.stats()
    blocks += s.blocks
    copies += s.blocks + s.duplicates
    bytesIn += s.bytesReceived
    backfilled += s.backfilled
    gaps += s.gaps
    invalid += s.invalid
    if (!r.newcomer) uploads.push(s.bytesSent / streamS)
  }
  const depths = run.depthReports()
  const [upP50, upP99, upMax] = quantiles(uploads, [0.5, 0.99, 1])
  const [rP50, rP99, rMax] = quantiles(run.metrics.repairs, [0.5, 0.99, 1])
  const [latMedian] = quantiles(run.net.linkLatencies, [0.5])
  const [setupP50] = quantiles(run.links.setupMs, [0.5])
  const sourceFeed = run.source === undefined ? undefined : run.feeds.get(run.source) as SourcePeer | undefined
  const sourceStats = sourceFeed?.source.stats()
  return {
    peers: sc.peers,
    trees: sc.trees,
    k: sc.k,
    entries: sc.entries,
    rate: sc.rate,
    burst: sc.burst,
    blocks: run.signed.blocks,
    seed: sc.seed,
    backfill: sc.backfill,
    survivors,
    complete,
    deliveryRatio: owed === 0 ? NaN : delivered / owed,
    onTimeRatio: owedOld === 0 ? NaN : onTimeOld / owedOld,
    onTimeRatioNewcomers: owedNew === 0 ? NaN : onTimeNew / owedNew,
    latencyP50Ms: run.metrics.all.quantile(0.5),
    latencyP99Ms: run.metrics.all.quantile(0.99),
    latencyByDepth: run.metrics.byDepth.flatMap((h, depth) => h.count === 0 ? [] : [{ depth, deliveries: h.count, p50Ms: h.quantile(0.5), p99Ms: h.quantile(0.99) }]),
    depths,
    depthAtOptimum: atOptimum(depths, sc.trees),
    depthsAtPlacement: run.depthsAtPlacement,
    depthAtOptimumAtPlacement: atOptimum(run.depthsAtPlacement, sc.trees),
    copiesPerEntry: blocks === 0 ? NaN : copies / blocks,
    bytesPerEntry: delivered === 0 ? NaN : bytesIn / delivered,
    source: { bytesSent: sourceStats?.bytesSent ?? 0, served: sourceStats?.served ?? 0 },
    uploadBytesPerS: { p50: upP50 ?? NaN, p99: upP99 ?? NaN, max: upMax ?? NaN, source: (sourceFeed?.bytesSent() ?? 0) / streamS },
    repairMs: { count: run.metrics.repairs.length, p50: rP50 ?? NaN, p99: rP99 ?? NaN, max: rMax ?? NaN },
    churn: { ...run.churn },
    backfilled,
    gaps,
    invalid,
    silentChildren,
    server: run.server.counters,
    links: { ...run.links.stats, medianLatencyMs: latMedian ?? NaN, setupP50Ms: setupP50 ?? NaN },
    memoizedChecks: { ...run.memo },
    simulated: {
      placedS: run.times.placedMs / 1000,
      firstAppendS: run.times.firstAppendMs / 1000,
      lastAppendS: run.times.lastAppendMs / 1000,
      endS: run.times.endMs / 1000,
      events: run.loop.ran
    },
    settings: { ...sc.feed },
    wallSeconds: cost.wallSeconds,
    cpuSeconds: cost.cpuSeconds,
    peakRssMiB: cost.peakRssMiB
  }
}

const atOptimum = (depths: TreeDepthReport[], trees: number): boolean => depths.length === trees && depths.every((d) => d.relaysAtOptimum)

const pct = (x: number): string => Number.isNaN(x) ? '-' : `${(100 * x).toFixed(x >= 0.9995 && x < 1 ? 3 : 2)} %`
const ms = (x: number): string => Number.isNaN(x) ? '-' : `${Math.round(x).toLocaleString('en-US')} ms`
const n = (x: number, digits = 0): string => Number.isNaN(x) ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const kbs = (x: number): string => Number.isNaN(x) ? '-' : `${(x / 1024).toFixed(1)} KiB/s`

/** The run as rows of a two-column table. */
export function resultRows (r: SimResult): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['peers, trees, k', `${n(r.peers)}, ${r.trees}, ${r.k}${r.backfill ? '' : ' (no backfill)'}`],
    ['entries in blocks (appended)', `${n(r.entries)} in ${n(r.blocks)} (${n(r.rate)}/s${r.burst > 1 ? `, in bursts of ${n(r.burst)}` : ''})`],
    ['churn: left / joined', `${n(r.churn.departures + r.churn.massDepartures)} / ${n(r.churn.arrivals)}`],
    ['survivors complete', `${n(r.complete)} / ${n(r.survivors)}`],
    ['delivery ratio', pct(r.deliveryRatio)],
    ['on time (<= 1 s), present throughout', pct(r.onTimeRatio)],
    ['on time (<= 1 s), newcomers', pct(r.onTimeRatioNewcomers)],
    ['latency p50 / p99', `${ms(r.latencyP50Ms)} / ${ms(r.latencyP99Ms)}`]
  ]
  for (const d of r.latencyByDepth) rows.push([`  depth ${d.depth === 0 ? '?' : d.depth}: p50 / p99 (${n(d.deliveries)})`, `${ms(d.p50Ms)} / ${ms(d.p99Ms)}`])
  for (const d of r.depthsAtPlacement) {
    rows.push([`tree ${d.tree} when placed: depth (opt.), relays' (opt.)`, `${d.depth} (${d.optimum}), ${d.relayDepth} (${d.relayOptimum})${d.relaysAtOptimum ? ' at optimum' : ''}`])
  }
  for (const d of r.depths) {
    rows.push([`tree ${d.tree} at the end: depth (opt.), relays' (opt.)`, `${d.depth} (${d.optimum}), ${d.relayDepth} (${d.relayOptimum})${d.relaysAtOptimum ? ' at optimum' : ''}${d.cutOff > 0 ? `, ${d.cutOff} waiting` : ''}`])
    rows.push([`  members per depth (${n(d.members)}, ${n(d.relays)} relays)`, d.histogram.join(' ')])
  }
  rows.push(
    ['copies per entry', n(r.copiesPerEntry, 2)],
    ['bytes received per entry', `${n(r.bytesPerEntry)} B`],
    ['upload per peer p50 / p99 / max', `${kbs(r.uploadBytesPerS.p50)} / ${kbs(r.uploadBytesPerS.p99)} / ${kbs(r.uploadBytesPerS.max)}`],
    ['upload of the source', kbs(r.uploadBytesPerS.source)],
    ['repair p50 / p99 / max (count)', `${ms(r.repairMs.p50)} / ${ms(r.repairMs.p99)} / ${ms(r.repairMs.max)} (${n(r.repairMs.count)})`],
    ['gaps asked for, blocks backfilled', `${n(r.gaps)}, ${n(r.backfilled)}`],
    ['upstreams dropped (silent, lagging)', n(r.invalid)],
    ['median link latency, link setup p50', `${ms(r.links.medianLatencyMs)}, ${ms(r.links.setupP50Ms)}`],
    ['virtual time, events', `${n(r.simulated.endS, 1)} s, ${n(r.simulated.events)}`],
    ['wall time, CPU time, peak RSS', `${n(r.wallSeconds, 1)} s, ${n(r.cpuSeconds, 1)} s, ${n(r.peakRssMiB)} MiB`]
  )
  return rows
}

export function formatTable (rows: Array<[string, string]>, header?: [string, string]): string {
  const all = header === undefined ? rows : [header, ...rows]
  const w = Math.max(...all.map(([a]) => a.length))
  return all.map(([a, b]) => `${a.padEnd(w)}  ${b}`).join('\n')
}

/** The lines every run prints about what the simulator does that a real peer does not. */
export function settingsNote (r: SimResult): string {
  const s = r.settings
  return [
    `signature checks are memoized by signature (simulator only): ${n(r.memoizedChecks.real)} real, ${n(r.memoizedChecks.hits)} from the memo`,
    `simulator settings: cacheBlocks ${s.cacheBlocks}, dedupWindow ${s.dedupWindow}, retention ${s.retainBlocks} blocks, tickMs ${s.tickMs}, gapGraceMs ${s.gapGraceMs}, wantTimeoutMs ${s.wantTimeoutMs}, ${s.signMs} ms per signature`
  ].join('\n')
}
