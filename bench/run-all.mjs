// Runs every benchmark, one after another, each as a child process, and prints one table of
// their figures (docs/benchmarks.md says what each row measures). `npm run bench` installs and
// builds first. A bench that fails is shown failed with its error and the others still run;
// the exit code is 1 if any failed. Progress and the benches' own lines go to stderr.
// Run after a build: node bench/run-all.mjs [--only name,...] [--quick] [--json]
import { fileURLToPath } from 'node:url'
import { BENCHES } from './runner/benches.mjs'
import { describeMachine } from './runner/machine.mjs'
import { parseOptions, USAGE } from './runner/options.mjs'
import { runBench } from './runner/run-bench.mjs'
import { machineLine, renderTable } from './runner/table.mjs'

const root = fileURLToPath(new URL('../', import.meta.url))
const opts = parseOptions(process.argv.slice(2), process.env)
if ('error' in opts) {
  console.error(`${opts.error}\n\n${USAGE}`)
  process.exit(2)
}
if (opts.help) {
  console.log(USAGE)
  process.exit(0)
}
if (opts.list) {
  for (const b of BENCHES) console.log(`${b.name.padEnd(16)} ${b.about}`)
  process.exit(0)
}
const unknown = (opts.only ?? []).filter((name) => !BENCHES.some((b) => b.name === name))
if (unknown.length > 0) {
  console.error(`no such bench: ${unknown.join(', ')} (known: ${BENCHES.map((b) => b.name).join(', ')})`)
  process.exit(2)
}

const chosen = BENCHES.filter((b) => opts.only === undefined || opts.only.includes(b.name))
const machine = describeMachine()
const log = (line) => process.stderr.write(`${line}\n`)
log(`machine: ${machineLine(machine)}${opts.quick ? '; --quick: smaller sizes' : ''}`)
const results = []
for (const bench of chosen) {
  log(`\n${bench.name}: ${bench.about}`)
  const result = await runBench(bench, { root, quick: opts.quick, log })
  log(`${bench.name}: ${result.status}${result.seconds === undefined ? '' : ` in ${result.seconds.toFixed(1)} s`}${result.status === 'ok' ? '' : ` (${result.error ?? result.reason})`}`)
  results.push(result)
}
// The load at the end too: the figures are the machine's at the time.
const loadAfter = describeMachine().load
if (opts.json) console.log(JSON.stringify({ machine, loadAfter, quick: opts.quick, results }, null, 2))
else console.log(`\n${renderTable(machine, results)}\nload average at the end: ${loadAfter.map((l) => l.toFixed(2)).join(' ')}${opts.quick ? ' (--quick: smaller sizes, not figures to quote)' : ''}`)
process.exit(results.some((r) => r.status === 'failed') ? 1 : 0)
