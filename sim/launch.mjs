// `npm run simulate`: bundles the simulator (sim/main.ts with the repository source it
// imports) with esbuild and runs it in a Node process with a heap as large as the machine allows.
// Bundled rather than run through tsx: tsx compiles with esbuild's keepNames, which names
// every closure at run time, and the simulator makes millions (about a tenth of the CPU
// time and 25 KiB per simulated peer). The bundle goes to node_modules/.cache, where the
// packages it leaves out (the optional native msgpackr-extract) resolve.
import { spawn } from 'node:child_process'
import { totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const outfile = fileURLToPath(new URL('../node_modules/.cache/peer-tree-sim/main.mjs', import.meta.url))
await build({
  entryPoints: [fileURLToPath(new URL('main.ts', import.meta.url))],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  external: ['msgpackr-extract'],
  // Bundled CommonJS dependencies call require(): give the ES module one.
  banner: { js: "import { createRequire as __simRequire } from 'node:module'; const require = __simRequire(import.meta.url);" },
  logLevel: 'warning'
})
// Three quarters of the machine's memory for the heap (a 20,000-peer run peaks at ~4 GiB of RSS,
// 200-270 KiB per peer).
const heapMiB = Math.floor((totalmem() / 2 ** 20) * 0.75)
const child = spawn(process.execPath, [`--max-old-space-size=${heapMiB}`, outfile, ...process.argv.slice(2)], { stdio: 'inherit' })
child.on('exit', (code, signal) => { process.exit(code ?? (signal === null ? 1 : 128)) })
