// What the demo prints: the summary of one run, and the honest and hostile runs side by side.

const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '-')
const pct = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}%` : '-')
const mib = (x) => `${x.toFixed(0)} MiB`

function depthLine (depths) {
  return depths.map((d) => `tree ${d.tree}: ${d.depth} (optimum ${d.optimum} for its ${d.members} members; its ${d.relays} relays at ${d.relayDepth}, optimum ${d.relayOptimum}${d.cutOff > 0 ? `; ${d.cutOff} cut off` : ''})`).join(', ')
}

export function printSummary (f) {
  const title = f.hostile ? 'with hostile peers' : 'summary'
  console.log(`\n=== peer-tree broadcast demo: ${title} ===`)
  console.log(`entries appended              ${f.entries} in ${f.blocks} signed blocks (${(f.entries / Math.max(1, f.blocks)).toFixed(1)} entries per block)`)
  console.log(`subscribers at the end        ${f.alive}: ${f.killed} interior peers left mid-stream, ${f.killed} newcomers joined late`)
  console.log(`delivered to every peer       ${f.deliveredAll}/${f.alive} peers got all ${f.entries} entries, in order, exactly once${f.deliveredNone > 0 ? `; ${f.deliveredNone} got none` : ''} (${pct((100 * f.deliveredEntries) / Math.max(1, f.alive * f.entries))} of entries delivered)`)
  console.log(`duplicates dropped            ${f.duplicates} (${f.copiesPerBlock.toFixed(2)} copies received per block, m = ${f.trees})`)
  console.log(`gaps backfilled               ${f.gaps} ranges asked for, ${f.backfilled} blocks backfilled, ${f.invalid} invalid`)
  console.log(`latency append -> delivery    median ${ms(f.latency.median)}, p99 ${ms(f.latency.p99)}, ${pct(f.latency.withinSecond)} within 1 s (peers present throughout, backfilled gaps included)`)
  if (f.newcomerLatency.n > 0) console.log(`  newcomers, after joining     median ${ms(f.newcomerLatency.median)}, p99 ${ms(f.newcomerLatency.p99)}, ${pct(f.newcomerLatency.withinSecond)} within 1 s (their first entries wait for their links)`)
  console.log(`  (${f.peers + 1} WebRTC peers share this one process and its cores: most of that time is queueing behind each other's sends)`)
  console.log(`bytes on the wire per entry   ${(f.bytesReceived / Math.max(1, f.alive * f.entries)).toFixed(0)} B received per delivered entry (entry ~40 B of msgpack)`)
  console.log(`tree depth                    ${depthLine(f.depths)}`)
  console.log(`spent by this process         ${(f.cpuMs / 1000).toFixed(1)} s of CPU, ${mib(f.rssPeakMiB)} peak RSS (server, source and every subscriber)`)
  console.log(`log of ${f.verified.name} verified      ${f.verified.ok ? 'ok' : `FAILED: ${f.verified.reason}`}: ${f.verified.blocks} blocks, ${f.verified.entries} entries`)
  if (f.attackers !== undefined) {
    const kinds = Object.entries(f.attackers.attackers ?? {}).map(([kind, s]) => `${s.count} ${kind}`).join(', ')
    console.log(`attackers (another process)   ${kinds}; they spent ${(f.attackers.cpuMs / 1000).toFixed(1)} s of CPU`)
  }
}

/** The honest and the hostile run side by side. */
export function printComparison (h, x) {
  console.log('\n=== honest run and hostile run, side by side ===')
  if (h.crashed !== undefined || x.crashed !== undefined) {
    for (const f of [h, x]) if (f.crashed !== undefined) console.log(`the ${f.hostile ? 'hostile' : 'honest'} run's process died: ${f.crashed}`)
    if (h.crashed !== undefined || x.crashed !== undefined) return
  }
  const rows = [
    ['subscribers at the end', (f) => `${f.alive}`],
    ['got every entry, in order', (f) => `${f.deliveredAll}/${f.alive}`],
    ['got no entry at all', (f) => `${f.deliveredNone}`],
    ['entries delivered', (f) => pct((100 * f.deliveredEntries) / Math.max(1, f.alive * f.entries))],
    ['latency median', (f) => ms(f.latency.median)],
    ['latency p99', (f) => ms(f.latency.p99)],
    ['within 1 s', (f) => pct(f.latency.withinSecond)],
    ...h.depths.map((d, t) => [`depth of tree ${t} (optimum)`, (f) => `${f.depths[t]?.depth ?? '-'} (${f.depths[t]?.optimum ?? '-'}), relays ${f.depths[t]?.relayDepth ?? '-'} (${f.depths[t]?.relayOptimum ?? '-'}), ${f.depths[t]?.members ?? '-'} members`]),
    ['honest members cut off', (f) => `${f.depths.reduce((n, d) => n + d.honestCutOff, 0)}`],
    ['honest mean depth', (f) => (f.depths.reduce((n, d) => n + d.meanHonest, 0) / Math.max(1, f.depths.length)).toFixed(2)],
    ['bytes received per entry', (f) => `${(f.bytesReceived / Math.max(1, f.alive * f.entries)).toFixed(0)} B`],
    ['bytes sent by subscribers', (f) => `${(f.bytesSent / 2 ** 20).toFixed(1)} MiB`],
    ['bytes sent by the source', (f) => `${(f.sourceBytesSent / 2 ** 20).toFixed(1)} MiB`],
    ['blocks served for WANTs', (f) => `${f.served} + ${f.sourceServed} by the source`],
    ['duplicates dropped', (f) => `${f.duplicates}`],
    ['invalid reports', (f) => `${f.invalid}`],
    ['victims\' CPU time', (f) => `${(f.cpuMs / 1000).toFixed(1)} s`],
    ['victims\' peak RSS', (f) => mib(f.rssPeakMiB)],
    ['a random log verifies', (f) => (f.verified.ok ? 'yes' : `no (${f.verified.reason})`)]
  ]
  const width = Math.max(...rows.map(([name]) => name.length)) + 2
  console.log(`${''.padEnd(width)}${'honest'.padEnd(26)}hostile`)
  for (const [name, value] of rows) console.log(`${name.padEnd(width)}${value(h).padEnd(26)}${value(x)}`)
  const a = x.attackers?.attackers ?? {}
  console.log(`\nattackers: ${Object.entries(a).map(([kind, s]) => `${s.count} ${kind}`).join(', ')} (in their own process: ${((x.attackers?.cpuMs ?? 0) / 1000).toFixed(1)} s of CPU)`)
  if (a.flooder !== undefined) console.log(`  the WANT flooder sent ${a.flooder.wantsSent} WANTs and got ${a.flooder.blocksIn} blocks back`)
  if (a.silent !== undefined) console.log(`  the silent relays accepted ${a.silent.children} child links and forwarded nothing`)
  if (a.junk !== undefined) console.log(`  the junk relay took ${a.junk.children} child links and sent them ${(a.junk.bytesOut / 2 ** 20).toFixed(1)} MiB`)
  if (a.replayer !== undefined) console.log(`  the replayer sent ${a.replayer.replayed} old blocks again`)
  if (a.eclipse !== undefined) console.log(`  ${a.eclipse.count} raw sockets confirmed ${a.eclipse.confirmed} links they never opened`)
}
