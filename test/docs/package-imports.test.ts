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

// Type-only imports of a package that is not declared, each with why it is tolerated for now.
// peer-tree-broadcast names simple-peer's types for the links peer-tree-client hands it; its
// built .d.ts then needs simple-peer's types, which a consumer has only through peer-tree-client
// (whose own `@types/simple-peer` is a devDependency): the types should come from peer-tree-client.
const UNDECLARED_TYPES: Record<string, string[]> = { 'peer-tree-broadcast': ['simple-peer'] }

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
        const typeOnly = new RegExp(`^import type [^\\n]* from '${spec}'`, 'm').test(text)
        if (typeOnly && (UNDECLARED_TYPES[pkg.name] ?? []).includes(spec)) continue
        wrong.push(`${where} is not a declared dependency`)
      }
    }
  }
  // The protocol package imports nothing; every other one imports something.
  if (pkg.name !== 'peer-tree-protocol') expect(imports).toBeGreaterThan(0)
  expect(wrong).toEqual([])
})
