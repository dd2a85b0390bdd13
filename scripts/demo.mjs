// The broadcast demo (`npm start`): a signalling server, a source and a swarm of real Node
// WebRTC peers (@roamhq/wrtc) on m trees; peers leave and new ones join mid-stream; at the
// end a summary: entries appended and delivered, duplicates, backfill, latency, bytes, the
// depth of each tree, and the log of a random peer verified. Everything listens on 127.0.0.1.
//
// `--hostile` (`npm start -- --hostile`) runs the same churn demo twice, each run in a
// process of its own: honest, then with hostile peers of every kind mixed in, and prints the
// two side by side, with what the victims (server, source and honest subscribers, in the
// run's process) spent in CPU time and memory. The attackers run in a third process.
//
// During the run the demo's server also serves pages on 127.0.0.1 (their URLs are printed):
// a live view of the feed's trees and a page that starts or joins a feed. `--serve` keeps the
// server, the source (appending an entry a second) and the peers up after the summary, until
// Ctrl-C; `--port <n>` picks the port (default: any free one).
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { runChurn, runChurnAndServe } from './lib/churn-run.mjs'
import { printComparison, printSummary } from './lib/demo-report.mjs'

const { values: args } = parseArgs({
  options: {
    peers: { type: 'string', default: '24' },
    trees: { type: 'string', default: '3' },
    entries: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '400' }, // entries per second
    churn: { type: 'string', default: '8' },
    hostile: { type: 'boolean', default: false },
    /** Keep serving the pages, the feed and its peers after the summary, until Ctrl-C. */
    serve: { type: 'boolean', default: false },
    port: { type: 'string', default: '0' },
    /** Raw signalling sockets of the hostile run (each joins every tree as a relay). */
    eclipse: { type: 'string', default: '2' },
    /** Internal: run one side of `--hostile` in this process and send its figures to the parent. */
    run: { type: 'string' }
  }
})
const options = {
  peers: Number(args.peers),
  trees: Number(args.trees),
  entries: Number(args.entries),
  rate: Number(args.rate),
  churn: Number(args.churn),
  eclipseSockets: Number(args.eclipse),
  port: Number(args.port)
}
const ok = (f) => f.deliveredAll === f.alive && f.verified.ok

if (args.run !== undefined) {
  process.on('disconnect', () => process.exit(1)) // the parent is gone: so is this run
  const hostile = args.run === 'hostile'
  const figures = await runChurn({ ...options, hostile, log: (line) => console.log(`[${args.run}] ${line}`) })
  printSummary(figures)
  process.send(figures, () => process.exit(0))
} else if (args.serve) {
  if (args.hostile) {
    console.error('--serve runs the honest demo only: drop --hostile')
    process.exit(2)
  }
  const { figures, pages, stop } = await runChurnAndServe(options)
  printSummary(figures)
  console.log(`\nstill serving (the source appends an entry a second); Ctrl-C to stop:\n  live tree view  ${pages.tree}\n  join the feed   ${pages.feed}\n  start a feed    ${new URL('/', pages.feed).href}`)
  process.once('SIGINT', () => { stop().finally(() => process.exit(ok(figures) ? 0 : 1)) })
} else if (!args.hostile) {
  const figures = await runChurn(options)
  printSummary(figures)
  process.exit(ok(figures) ? 0 : 1)
} else {
  const honest = await side('honest')
  const hostile = await side('hostile')
  printComparison(honest, hostile)
  process.exit(ok(honest) && ok(hostile) ? 0 : 1)
}

/** Runs one side in a child process; a crash (SIGSEGV in native WebRTC, say) is a figure too. */
function side (name) {
  const passed = process.argv.slice(2).filter((a) => a !== '--hostile')
  const child = fork(fileURLToPath(import.meta.url), [...passed, '--run', name], { stdio: 'inherit' })
  return new Promise((resolve) => {
    let figures
    child.on('message', (msg) => { figures = msg })
    child.on('exit', (code, signal) => resolve(figures ?? { crashed: signal ?? `exit ${code}`, hostile: name === 'hostile' }))
  })
}
