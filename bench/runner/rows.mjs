// How each bench's figures read in the runner's table: [what, value] rows. A bench without a
// row maker of its own (or with keys its maker does not know) is shown key by key, so new
// figures appear without a change here.

/** A number for a table cell: grouped thousands; `digits` decimals below 10, one below 100, none for integers. */
export function num (x, digits = 2) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return String(x)
  const abs = Math.abs(x)
  const d = Number.isInteger(x) || abs >= 100 ? 0 : abs >= 10 ? Math.min(digits, 1) : digits
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })
}

/** A number with exactly `digits` decimals, grouped thousands: the two sides of a comparison line up. */
export function fixed (x, digits) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return String(x)
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

/** Every key of `figures`, nested objects flattened as `a.b`. */
export function genericRows (figures, prefix = '') {
  const rows = []
  for (const [key, value] of Object.entries(figures)) {
    const name = `${prefix}${key}`
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) rows.push(...genericRows(value, `${name}.`))
    else rows.push([name, Array.isArray(value) ? JSON.stringify(value) : typeof value === 'number' ? num(value) : String(value)])
  }
  return rows
}

/** Rates by block size, one cell: `1: 652 · 16: 10,194 · ...`. */
const byBlock = (rows, rate) => rows.map((r) => `${r.perBlock}: ${num(rate(r), 0)}`).join(' · ')

/** Rows grouped by `key(row)`, in the order first seen. */
function groups (rows, key) {
  const out = new Map()
  for (const r of rows) {
    const k = key(r)
    if (!out.has(k)) out.set(k, [])
    out.get(k).push(r)
  }
  return out
}

const MAKERS = {
  verify (f) {
    const rows = []
    for (const [k, rs] of groups(f.rows ?? [], (r) => `${r.backend}, ${r.entryBytes} B entries`)) {
      rows.push([`${k}, entries/s per CPU-s by entries per block`, byBlock(rs, (r) => r.perCpu)])
    }
    for (const [k, rs] of groups(f.receivePath ?? [], (r) => `receive path (${r.backend}), ${r.entryBytes} B entries`)) {
      rows.push([`${k}, entries/s per CPU-s by entries per block`, byBlock(rs, (r) => r.perCpu)])
    }
    return rows
  },
  'browser-verify' (f) {
    const rows = [['Chromium', `${f.chromium ?? '?'} (WebCrypto Ed25519: ${f.webcrypto ? 'yes' : 'no'})`]]
    for (const [backend, rs] of groups(f.rows ?? [], (r) => r.backend)) {
      rows.push([`${backend} in a page, entries/s by entries per block`, byBlock(rs, (r) => r.entriesPerSecond)])
    }
    return rows
  },
  joins: (f) => [[`joins/s, ${num(f.clients, 0)} raw sockets, one server in-process`, num(f.joinsPerSecond, 0)], ['tree depth after', String(f.depth)]],
  'server-command': (f) => [
    [`joins/s through the command, ${num(f.clients, 0)} sockets`, num(f.joinsPerSecond, 0)],
    ['mean placement (its /metrics)', `${num(f.meanPlacementUs, 1)} µs`],
    ['SIGTERM drain: all told / exit', `${num(f.drainToldMs, 0)} / ${num(f.drainExitMs, 0)} ms`],
    ['drain through haproxy: all told / last back', `${num(f.haproxyToldMs, 0)} / ${num(f.haproxyLastBackMs, 0)} ms`]
  ],
  sizes: (f) => (f.builds ?? []).map((b) => [`${b.name}, gzip (raw)`, `${num(b.gzip, 0)} B (${num(b.raw, 0)})${b.budget === undefined ? '' : ` of ${num(b.budget, 0)}${b.gzip > b.budget ? ' OVER' : ''}`}`]),
  gossipsub (f) {
    const w = f.workload ?? {}
    const side = (s) => s ?? {}
    const g = side(f.gossipsub)
    const p = side(f.feed)
    const r = side(f.ratios)
    const cell = (key, unit = '', digits = 2) => `${fixed(p[key], digits)}${unit} vs ${fixed(g[key], digits)}${unit} (${fixed(r[RATIO_OF[key]], 1)}x)`
    return [
      ['workload', `${w.receivers} receivers, ${w.entries} entries of ${w.entryBytes} B at ${w.rate}/s, one process`],
      ['CPU ms per delivery, feed vs gossipsub', cell('cpuMsPerDelivery', '', 3)],
      ['latency median, feed vs gossipsub', cell('latencyP50Ms', ' ms', 1)],
      ['latency p99, feed vs gossipsub', cell('latencyP99Ms', ' ms', 1)],
      ['copies received per delivered entry', cell('copiesPerEntry', '', 2)],
      ['bytes received per delivered entry', cell('bytesPerEntry', ' B', 0)],
      ['delivery ratio, feed / gossipsub', `${fixed(p.deliveryRatio, 4)} / ${fixed(g.deliveryRatio, 4)}`],
      ['idle CPU ms/s (nothing published), feed vs gossipsub', `${fixed(f.feedSetup?.idleCpuMsPerSecond, 0)} vs ${fixed(f.gossipsubSetup?.idleCpuMsPerSecond, 0)}`]
    ]
  },
  sim: (f) => simRows(f)
}

/** The simulator's headline figures (its `--json` result). */
function simRows (f) {
  const pct = (x) => typeof x === 'number' ? `${fixed(100 * x, 2)} %` : String(x)
  const up = f.uploadBytesPerS ?? {}
  const depths = (ds) => (ds ?? []).map((d) => `${d.relayDepth} (${d.relayOptimum})`).join(' / ')
  return [
    ['peers, trees, k; entries in blocks', `${num(f.peers, 0)}, ${f.trees}, ${f.k}${f.backfill === false ? ' (no backfill)' : ''}; ${num(f.entries, 0)} in ${num(f.blocks, 0)}`],
    ['churn: left / joined', `${num((f.churn?.departures ?? 0) + (f.churn?.massDepartures ?? 0), 0)} / ${num(f.churn?.arrivals, 0)}`],
    ['delivery ratio; on time (<= 1 s), present throughout', `${pct(f.deliveryRatio)}; ${pct(f.onTimeRatio)}`],
    ['latency p50 / p99', `${num(f.latencyP50Ms, 0)} / ${num(f.latencyP99Ms, 0)} ms`],
    ["relays' depth per tree (optimum): when placed; at the end", `${depths(f.depthsAtPlacement)}; ${depths(f.depths)}`],
    ['copies / bytes received per entry', `${fixed(f.copiesPerEntry, 2)} / ${num(f.bytesPerEntry, 0)} B`],
    ['upload per peer p50 / p99', `${num((up.p50 ?? NaN) / 1024, 1)} / ${num((up.p99 ?? NaN) / 1024, 1)} KiB/s`],
    ['repair p50 / p99', `${num(f.repairMs?.p50, 0)} / ${num(f.repairMs?.p99, 0)} ms`],
    ['wall, CPU, peak RSS', `${num(f.wallSeconds, 1)} s, ${num(f.cpuSeconds, 1)} s, ${num(f.peakRssMiB, 0)} MiB`]
  ]
}

/** One mode of the video bench as table rows: latency by depth, then its costs. */
function videoRows (m) {
  const depths = (m.depths ?? []).map((d) => `${d.depth}: ${num(d.p50Ms, 1)} / ${num(d.p99Ms, 1)}`).join(' · ')
  const bytes = Number.isFinite(m.encodedKbps) ? `${num(m.receivedKbpsPerPlayer, 0)} kbit/s (x${fixed(m.overheadVsEncoded, 2)} the encoded)` : `${num(m.receivedKbpsPerPlayer, 0)} kbit/s (RTP)`
  const c = m.churn ?? {}
  const partly = c.partlyPages > 0 ? `, fed in one tree only ${num(c.partlyLongestGapMs, 0)} ms` : ''
  return [
    [`${m.mode}: glass-to-glass p50 / p99 ms by depth`, depths],
    [`${m.mode}: frames/s per player, received per player`, `${num(m.framesPerSecondPerPlayer, 1)}, ${bytes}`],
    [`${m.mode}: browser CPU per decoded frame`, `${num(m.cpuMsPerFrame, 2)} ms`],
    [`${m.mode}: longest freeze below a closed player, corrupt pictures`, `${c.cutPages > 0 ? `cut off ${num(c.cutLongestGapMs, 0)} ms` : 'none cut off'}${partly}; ${num((m.corruptFrames ?? 0) + (c.corrupt ?? 0), 0)}`]
  ]
}
MAKERS.video = (f) => (f.modes ?? []).flatMap(videoRows)

const RATIO_OF = { cpuMsPerDelivery: 'cpuPerDelivery', latencyP50Ms: 'latencyP50', latencyP99Ms: 'latencyP99', copiesPerEntry: 'copiesPerEntry', bytesPerEntry: 'bytesPerEntry' }

/** The [what, value] rows of bench `name`'s figures. */
export function rowsFor (name, figures) {
  const maker = MAKERS[name]
  return maker === undefined ? genericRows(figures) : maker(figures)
}
