// What the docs and comments name must exist: the files they cite, the tests they cite as
// proof, and the API they describe. A rename then fails here instead of leaving a doc behind.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Server } from 'socket.io'
import { describe, expect, test } from 'vitest'
import * as archive from 'peer-tree-broadcast/archive'
import * as broadcast from 'peer-tree-broadcast'
import * as video from 'peer-tree-broadcast/video'
import { PeerTreeClient } from 'peer-tree-client'
import { PeerTreeServer } from 'peer-tree-server'
import { fakeSocket } from '../../packages/tree-client/test/helpers/fake-socket.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const read = (path: string): string => readFileSync(join(root, path), 'utf8')

/** Every file of the repository's own, as a path from the root (no dependencies, no builds). */
function walk (dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(root, dir))) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue
    const path = dir === '' ? name : `${dir}/${name}`
    if (statSync(join(root, path)).isDirectory()) walk(path, out)
    else out.push(path)
  }
  return out
}
const files = walk('')
const fileSet = new Set(files)
const basenames = new Set(files.map((f) => basename(f)))
const docs = files.filter((f) => f.endsWith('.md'))
const sources = files.filter((f) => /^(packages|scripts|test|bench)\//.test(f) && /\.(ts|mts|js|mjs|cjs|sh)$/.test(f))

// Names a comment may give that are not files of the repository, each for a reason: build
// outputs, and the URL socket.io serves its client under.
// Built files, and files of a dependency named with its package (`simple-peer/...`).
const NOT_REPOSITORY_FILES = [/(^|\/)dist\//, /^simple-peer\//, /\.global\.js$/, /^protocol\.cjs$/, /^socket\.io\/socket\.io\.js$/]
const FILE_NAME = /(?<![\w@.:/-])((?:[\w.-]+\/)*[\w-]+(?:\.[\w-]+)*\.(?:md|ts|mts|cts|js|mjs|cjs|json|sh|yaml|html))(?![\w/-])/g

// docs/original-bugs.md shortens the test folders it cites.
const SHORT: Record<string, string> = { 'server/': 'packages/tree-server/test/', 'client/': 'packages/tree-client/test/', 'integration/': 'test/integration/' }
const unshorten = (ref: string): string => {
  const prefix = Object.keys(SHORT).find((p) => ref.startsWith(p))
  return prefix === undefined ? ref : `${SHORT[prefix] ?? ''}${ref.slice(prefix.length)}`
}

/** Whether `ref`, cited in file `from`, names a file of the repository. */
function exists (ref: string, from: string): boolean {
  if (NOT_REPOSITORY_FILES.some((re) => re.test(ref))) return true
  if (from === 'docs/original-bugs.md') ref = unshorten(ref)
  if (!ref.includes('/')) return basenames.has(ref)
  const local = relative(root, join(root, dirname(from), ref))
  return fileSet.has(ref) || fileSet.has(local) || files.some((f) => f.endsWith(`/${ref}`))
}

/** The comment part of each line of a source file (line comments, block comment lines). */
function comments (text: string): Array<[number, string]> {
  const out: Array<[number, string]> = []
  text.split('\n').forEach((line, i) => {
    const m = /^\s*(?:\/\/|\/\*+|\*|#(?!!))(.*)$/.exec(line) ?? /\s\/\/(.*)$/.exec(line)
    if (m?.[1] !== undefined) out.push([i + 1, m[1]])
  })
  return out
}

/** Whether test file `text` has a test titled `title`, literally or as one case of a `test.each` title with `%s`. */
function hasTest (text: string, title: string): boolean {
  if (text.includes(title)) return true
  for (const [, template] of text.matchAll(/\)\('([^'\n]*%s[^'\n]*)'/g)) {
    const [before = '', after = ''] = (template ?? '').split('%s')
    if (!title.startsWith(before) || !title.endsWith(after)) continue
    if (text.includes(`'${title.slice(before.length, title.length - after.length)}'`)) return true
  }
  return false
}

describe('files named in comments and docs', () => {
  test('every file a comment names is in the repository', () => {
    const missing: string[] = []
    for (const file of sources) {
      for (const [line, text] of comments(read(file))) {
        for (const [, ref] of text.matchAll(FILE_NAME)) if (ref !== undefined && !exists(ref, file)) missing.push(`${file}:${line}: ${ref}`)
      }
    }
    expect(missing).toEqual([])
  })

  test('every file a doc links to or names is in the repository', () => {
    const missing: string[] = []
    for (const doc of docs) {
      const text = read(doc)
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (target === undefined || /^[a-z]+:/.test(target)) continue
        if (!existsSync(join(root, dirname(doc), target))) missing.push(`${doc}: link ${target}`)
      }
      for (const [, code] of text.matchAll(/`([^`\n]+)`/g)) {
        for (const [, ref] of (code ?? '').matchAll(FILE_NAME)) if (ref !== undefined && !exists(ref, doc)) missing.push(`${doc}: ${ref}`)
      }
    }
    expect(missing).toEqual([])
  })

  test('every test original-bugs.md cites as proof exists under that title', () => {
    const missing: string[] = []
    let cited = 0
    for (const row of read('docs/original-bugs.md').split('\n').filter((l) => l.startsWith('|'))) {
      const cell = row.split(' | ').at(-1) ?? ''
      let file: string | undefined
      for (const part of cell.split('<br>')) {
        const named = /^`([a-z]+\/[\w.-]+\.test\.ts)`/.exec(part.trim())
        if (named?.[1] !== undefined) file = unshorten(named[1])
        const title = /› (.+?)\s*\|?$/.exec(part)?.[1]?.replace(/\s*…$/, '').replace(/:$/, '')
        if (file === undefined || title === undefined) continue
        cited++
        if (!fileSet.has(file)) missing.push(`no file ${file}`)
        else if (!hasTest(read(file), title)) missing.push(`${file} › ${title}`)
      }
    }
    expect(cited).toBeGreaterThan(30)
    expect(missing).toEqual([])
  })
})

describe('API names in the docs', () => {
  const exported: Record<string, unknown> = { ...broadcast, ...archive, ...video }
  /** Type-only exports, read from the entry points (they have no value to look up). */
  const typeNames = new Set<string>()
  const entries = ['packages/broadcast/src/index.ts', 'packages/broadcast/src/archive.ts', 'packages/broadcast/src/video.ts']
  for (const [, star] of read(entries[0] ?? '').matchAll(/^export (?:type )?\* from '\.\/([\w-]+)\.js'/gm)) entries.push(`packages/broadcast/src/${star ?? ''}.ts`)
  for (const entry of entries) {
    for (const [, name] of read(entry).matchAll(/\b(?:type|interface)\s+([A-Z]\w*)/g)) if (name !== undefined) typeNames.add(name)
  }
  // Capitalised names the feed docs use that are not this package's: JavaScript's and the
  // browser's own, the server the feeds run on and the client's MediaRelay.
  const FOREIGN = new Set(['TypeError', 'RangeError', 'Uint8Array', 'PeerTreeServer', 'VideoEncoder', 'VideoDecoder', 'VideoFrame', 'MediaStreamTrackGenerator', 'MediaStreamTrack', 'MediaStream', 'MediaStreamTrackProcessor', 'AudioEncoder', 'AudioDecoder', 'AudioData', 'MediaRelay'])
  // Calls the feed docs write that are not exports: option callbacks, methods named on their
  // own, CommonJS's require, and the header-field arithmetic of the chain rule.
  const NOT_EXPORTS = new Set(['onEntry', 'onFork', 'onError', 'require', 'firstSeq'])
  const classes = Object.values(exported).filter((v): v is abstract new (...a: never[]) => unknown => typeof v === 'function' && v.prototype !== undefined)
  const isMethod = (name: string): boolean => classes.some((c) => name in c.prototype)

  test.each(['docs/verification.md', 'docs/feed-api.md', 'docs/video.md', 'packages/broadcast/README.md'])('every export %s names exists in peer-tree-broadcast', (doc) => {
    const missing: string[] = []
    for (const [, code] of read(doc).matchAll(/`([^`\n]+)`/g)) {
      const m = /^(?:await |const \w+ = (?:await )?)?([A-Za-z_$][\w$]*)(?:\.([\w$]+))?(\()?/.exec(code ?? '')
      if (m === null) continue
      const [, name = '', member, call] = m
      if (/^[A-Z][A-Z0-9_]*$/.test(name)) continue // a code or constant: the tables' tests check them
      if (/^[A-Z]/.test(name)) {
        if (FOREIGN.has(name)) continue
        const value = exported[name]
        if (value === undefined && !typeNames.has(name)) { missing.push(code ?? ''); continue }
        if (member === undefined || value === undefined || value === null) continue
        const obj = value as Record<string, unknown> & { prototype?: object }
        const onError = typeof value === 'function' && obj.prototype instanceof Error && ['code', 'cause', 'message'].includes(member)
        if (!(member in obj) && !(obj.prototype !== undefined && member in obj.prototype) && !onError) missing.push(code ?? '')
      } else if (member === undefined && call !== undefined) {
        if (typeof exported[name] !== 'function' && !NOT_EXPORTS.has(name) && !isMethod(name)) missing.push(code ?? '')
      }
    }
    expect(missing).toEqual([])
  })

  test('every method and property the docs and READMEs call on a client, a server, a feed or a subscriber exists', () => {
    const io = new Server()
    const instances: Record<string, object> = {
      treeClient: new PeerTreeClient(fakeSocket()),
      treeServer: new PeerTreeServer(io),
      feed: broadcast.Source.prototype,
      sub: broadcast.Subscriber.prototype
    }
    const missing: string[] = []
    try {
      for (const doc of docs.filter((d) => d.startsWith('docs/') || /^packages\/[\w-]+\/README\.md$/.test(d))) {
        for (const [, code] of read(doc).matchAll(/`([^`\n]+)`/g)) {
          for (const [, receiver = '', member = '', call] of (code ?? '').matchAll(/\b(treeClient|treeServer|feed|sub)\.([A-Za-z_$][\w$]*)(\()?/g)) {
            const target = instances[receiver]
            // A feed's and a subscriber's fields are set in their constructors: only calls are checked there.
            if (target === undefined || (call === undefined && (receiver === 'feed' || receiver === 'sub'))) continue
            if (!(member in target)) missing.push(`${doc}: ${receiver}.${member}`)
          }
        }
      }
    } finally {
      (instances['treeClient'] as InstanceType<typeof PeerTreeClient>).destroy()
      ;(instances['treeServer'] as InstanceType<typeof PeerTreeServer>).close()
    }
    expect(missing).toEqual([])
  })
})

describe('package READMEs', () => {
  test.each(readdirSync(join(root, 'packages')))('packages/%s has a README in its files, linking to docs that exist', (dir) => {
    const pkg = JSON.parse(read(`packages/${dir}/package.json`)) as { files: string[] }
    expect(pkg.files).toContain('README.md')
    const text = read(`packages/${dir}/README.md`)
    expect(text).toMatch(/^## Install$/m)
    expect(text).toMatch(/^### `/m)
  })
})
