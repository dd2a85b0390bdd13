// A package's source reaches only its own files and the packages it declares: never into a
// sibling's src/ (which its published build could not find), never an undeclared dependency.
import { builtinModules } from 'node:module'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))

function walk (dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path, out)
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(path)
  }
  return out
}

const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'([^']+)'/gm
const packageName = (spec: string): string => spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0] ?? spec
const builtins = new Set(builtinModules)

test.each(readdirSync(join(root, 'packages')))('packages/%s/src imports only its own files and its declared packages', (dir) => {
  const pkgDir = join(root, 'packages', dir)
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
    name: string, dependencies?: Record<string, string>, peerDependencies?: Record<string, string>
  }
  const declared = new Set([pkg.name, ...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})])
  const src = join(pkgDir, 'src')
  const wrong: string[] = []
  let imports = 0
  for (const file of walk(src)) {
    const text = readFileSync(file, 'utf8')
    for (const [, spec = ''] of text.matchAll(SPECIFIER)) {
      imports++
      const where = `${relative(root, file)}: '${spec}'`
      if (spec.startsWith('.')) {
        if (relative(src, join(dirname(file), spec)).startsWith('..')) wrong.push(`${where} leaves src/`)
      } else if (spec.startsWith('node:') || builtins.has(spec)) {
        continue
      } else if (!declared.has(packageName(spec))) {
        wrong.push(`${where} is not a declared dependency`)
      }
    }
  }
  // The protocol package imports nothing; every other one imports something.
  if (pkg.name !== 'peer-tree-protocol') expect(imports).toBeGreaterThan(0)
  expect(wrong).toEqual([])
})
