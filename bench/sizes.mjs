// Sizes of the browser builds, raw and gzipped (-9), against their budgets: each standalone
// build, and an app that imports a package and is bundled by esbuild for browsers
// (`--bundle --platform=browser --minify`, nothing else). socket.io-client is apart in all of
// them (the page brings `io`); its own bundle is printed for reference. Exits 1 over budget.
// Run after a build: node bench/sizes.mjs
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { appBundle, gzipSize as gzip } from './build-size.mjs'
import { reportFigures } from './report.mjs'

const root = fileURLToPath(new URL('../', import.meta.url))
const budgets = JSON.parse(readFileSync(new URL('./size-budgets.json', import.meta.url), 'utf8'))

const rows = []
for (const b of budgets.builds) rows.push({ ...b, bytes: readFileSync(new URL(b.file, `file://${root}`)) })
for (const a of budgets.apps) rows.push({ ...a, bytes: await appBundle(a.package) })
rows.push({ name: 'socket.io-client (reference, not ours)', bytes: await appBundle('socket.io-client') })

let over = 0
const builds = []
const pad = (s, n) => String(s).padStart(n)
console.log(`${'build'.padEnd(42)} ${pad('raw B', 9)} ${pad('gzip B', 9)} ${pad('budget', 9)}`)
for (const r of rows) {
  const gz = gzip(r.bytes)
  const verdict = r.gzipBudget === undefined ? '' : gz <= r.gzipBudget ? 'ok' : 'OVER'
  if (verdict === 'OVER') over++
  builds.push({ name: r.name, raw: r.bytes.length, gzip: gz, ...(r.gzipBudget !== undefined && { budget: r.gzipBudget }) })
  console.log(`${r.name.padEnd(42)} ${pad(r.bytes.length.toLocaleString('en'), 9)} ${pad(gz.toLocaleString('en'), 9)} ${pad(r.gzipBudget?.toLocaleString('en') ?? '', 9)} ${verdict}`)
}
reportFigures('sizes', { builds, over })
if (over > 0) {
  console.error(`${over} over budget`)
  process.exit(1)
}
