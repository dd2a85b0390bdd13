#!/usr/bin/env node
// Checks every package under packages/ as it would be published: packs it with pnpm (which
// rewrites `workspace:*` the way `pnpm publish` does), then lints the tarball's package.json
// with publint (every message fails, suggestions included) and its types with
// @arethetypeswrong/cli, and checks that the tarball carries the package's README.
// Run after a build: `node scripts/check-packages.mjs [dir ...]`. Exits 1 on any problem.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'

const root = fileURLToPath(new URL('..', import.meta.url))
const attwBin = join(root, 'node_modules', '.bin', 'attw')

// attw's `strict` profile checks every resolution a consumer may use: node10 (TypeScript's
// `moduleResolution: node`, still common, which ignores `exports`; subpaths reach it through
// `typesVersions`), node16 from CJS and from ESM, and bundlers. Every package passes it, so
// no package gets a weaker profile. Entry points that are not modules are left out by name.
const ATTW_OPTIONS = {
  // dist/index.global.js and dist/media.global.js are classic scripts for a <script> tag: they
  // set (and add to) the global PeerTreeClient and export nothing, so there are no types to find.
  'peer-tree-client': ['--exclude-entrypoints', './dist/index.global.js', './dist/media.global.js']
}

const dirs = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d)).filter((d) => existsSync(join(d, 'package.json')))

const work = mkdtempSync(join(tmpdir(), 'check-packages-'))
let failures = 0
try {
  for (const dir of dirs) failures += await check(dir)
} finally {
  rmSync(work, { recursive: true, force: true })
}
if (failures > 0) {
  console.error(`check-packages: ${failures} problem(s)`)
  process.exit(1)
}
console.log(`check-packages: ${dirs.length} packages clean (publint, attw, README)`)

async function check (dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const out = join(work, basename(dir))
  execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] })
  const tarball = join(out, readdirSync(out).find((f) => f.endsWith('.tgz')))
  let problems = 0
  const fail = (line) => { problems += 1; console.error(`${pkg.name}: ${line}`) }

  const bytes = readFileSync(tarball)
  const { messages, pkg: packed } = await publint({
    // The files are the tarball's, so publint judges what would be published.
    pkgDir: 'package',
    pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
    level: 'suggestion',
    strict: true
  })
  for (const m of messages) fail(`publint ${m.type} ${m.code}: ${formatMessage(m, packed, { color: false })}`)

  const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n')
  if (!listing.includes('package/README.md')) fail('the tarball has no README.md')

  try {
    execFileSync(attwBin, [tarball, '--profile', 'strict', '--format', 'ascii', '--no-emoji', '--no-color', ...(ATTW_OPTIONS[pkg.name] ?? [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    fail(`attw:\n${err.stdout ?? ''}${err.stderr ?? ''}`)
  }
  console.log(`${pkg.name}: ${problems === 0 ? 'clean' : `${problems} problem(s)`}`)
  return problems
}
