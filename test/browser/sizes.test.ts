// The browser builds fit their gzip budgets (bench/size-budgets.json, printed with figures by
// bench/sizes.mjs), the ES modules import nothing a browser cannot resolve, and the feed's
// builds carry no simple-peer. Sizes are not timings: they are the same on every run.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, test } from 'vitest'
import budgets from '../../bench/size-budgets.json' with { type: 'json' }
import { appBundle, gzipSize as gzip } from '../../bench/build-size.mjs'

const root = fileURLToPath(new URL('../../', import.meta.url))

function built (file: string): Buffer {
  const path = `${root}${file}`
  expect(existsSync(path), `${file} is missing: run \`pnpm run build\` first`).toBe(true)
  return readFileSync(path)
}

/** Every module the file imports (static or dynamic), as esbuild's parser finds them. */
async function importsOf (file: string): Promise<string[]> {
  const result = await build({ entryPoints: [`${root}${file}`], bundle: true, external: ['*'], write: false, metafile: true, logLevel: 'silent' })
  // '<runtime>' is esbuild's own helper code, not an import of the file.
  return Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path)).filter((p) => p !== '<runtime>')
}

describe('browser build sizes', () => {
  test.each(budgets.builds)('$name is within $gzipBudget B gzipped', ({ file, gzipBudget }) => {
    expect(gzip(built(file))).toBeLessThanOrEqual(gzipBudget)
  })

  test.each(budgets.apps)('$name is within $gzipBudget B gzipped', async ({ package: name, gzipBudget }) => {
    expect(gzip(await appBundle(name))).toBeLessThanOrEqual(gzipBudget)
  })

  test('the ES modules import nothing (a <script type=module> resolves no package names)', async () => {
    for (const file of ['packages/tree-client/dist/index.browser.js', 'packages/broadcast/dist/index.browser.js']) {
      built(file)
      expect(await importsOf(file), file).toEqual([])
    }
  })

  test('the feed\'s browser builds carry no simple-peer and no socket.io-client; the client\'s carry simple-peer\'s standalone build', () => {
    for (const file of ['packages/broadcast/dist/index.global.js', 'packages/broadcast/dist/index.browser.js']) {
      const code = built(file).toString('utf8')
      // Strings simple-peer's build and socket.io-client's carry.
      expect(code.includes('_needsNegotiation'), file).toBe(false)
      expect(/engine\.io|io server disconnect/.test(code), file).toBe(false)
    }
    for (const file of ['packages/tree-client/dist/index.global.js', 'packages/tree-client/dist/index.browser.js']) {
      const code = built(file).toString('utf8')
      expect(code.includes('_needsNegotiation'), file).toBe(true)
      expect(/engine\.io|io server disconnect/.test(code), file).toBe(false)
    }
  })
})
