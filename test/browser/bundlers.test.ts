// Apps that import the packages by name build with esbuild (`--bundle --platform=browser`) and
// with Vite (no config file), nothing else set: no polyfills, no aliases. Each app is built
// here, into a temp dir the page server mounts, and works in Chromium against Node peers.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import wrtc from '@roamhq/wrtc'
import { build as esbuild } from 'esbuild'
import { build as viteBuild } from 'vite'
import { describe, expect, onTestFinished, test } from 'vitest'
import { Feed, createNodeEd25519 } from 'peer-tree-broadcast'
import { nextEvent, until } from '../helpers/wait.js'
import { type TestPage } from './helpers/chromium.js'
import type { PageServer } from './helpers/page-server.js'
import { browserSuite } from './helpers/suite.js'

const APPS = fileURLToPath(new URL('./apps/', import.meta.url))
const ENTRIES = 30

const suite = browserSuite()
const { swarm } = suite
let server: PageServer

async function tempDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'peer-tree-app-'))
  onTestFinished(async () => { await rm(dir, { recursive: true, force: true }) })
  return dir
}

/** `esbuild apps/<app>/main.js --bundle --platform=browser --outfile=<dir>/main.js`; returns the page's HTML. */
async function buildWithEsbuild (app: string, dir: string): Promise<string> {
  await esbuild({ entryPoints: [join(APPS, app, 'main.js')], bundle: true, platform: 'browser', outfile: join(dir, 'main.js'), logLevel: 'silent' })
  return '<!doctype html><meta charset="utf-8"><script type="module" src="/app/main.js"></script>'
}

/** `vite build` of apps/<app> with no config file; returns its index.html (assets under /assets/). */
async function buildWithVite (app: string, dir: string): Promise<string> {
  await viteBuild({ root: join(APPS, app), configFile: false, logLevel: 'silent', build: { outDir: dir } })
  return await readFile(join(dir, 'index.html'), 'utf8')
}

/** Whether the app's built scripts carry simple-peer (a string only its build has). */
async function carriesSimplePeer (dir: string): Promise<boolean> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.js'))
  const code = await Promise.all(files.map(async (f) => await readFile(join(dir, f), 'utf8')))
  return code.some((c) => c.includes('_needsNegotiation'))
}

/** A Node source's feed, a page of the built app joined to it, and every entry delivered and verified in the page. */
async function feedDelivers (html: string, mounts: Record<string, string>): Promise<TestPage> {
  server = await suite.server()
  for (const [name, dir] of Object.entries(mounts)) server.mount(name, dir)
  server.page('app.html', html)
  const feed = await Feed.create(swarm.socket(server.url), { wrtc, ed25519: createNodeEd25519() })
  swarm.onClose(() => feed.close())
  const tab = await suite.browser.open(`${server.url}/app.html?key=${feed.key}`)
  await tab.page.waitForFunction(() => (window as any).sub !== undefined)
  for (let i = 0; i < ENTRIES; i++) await feed.append({ i })
  await tab.page.waitForFunction((n) => (window as any).seqs.length >= n, ENTRIES)
  expect(await tab.page.evaluate(() => (window as any).seqs)).toEqual(Array.from({ length: ENTRIES }, (_, i) => i))
  expect(await tab.page.evaluate(async () => await (window as any).verify())).toBe(true)
  expect(tab.errors).toEqual([])
  return tab
}

describe('apps bundled with default settings', () => {
  test('an esbuild app importing peer-tree-broadcast joins a Node source\'s feed and delivers every entry', async () => {
    const dir = await tempDir()
    await feedDelivers(await buildWithEsbuild('feed', dir), { app: dir })
    // The bundler took the feed's browser build, whose links are DataPeers.
    expect(await carriesSimplePeer(dir)).toBe(false)
  })

  test('a Vite app importing peer-tree-broadcast joins a Node source\'s feed and delivers every entry', async () => {
    const dir = await tempDir()
    await feedDelivers(await buildWithVite('feed', dir), { assets: join(dir, 'assets') })
    expect(await carriesSimplePeer(dir)).toBe(false)
  })

  /** A Node source's tree, a page of the built app joined to it, and every message received by a simple-peer upstream. */
  async function treeDelivers (html: string, mounts: Record<string, string>): Promise<void> {
    server = await suite.server()
    for (const [name, dir] of Object.entries(mounts)) server.mount(name, dir)
    server.page('app.html', html)
    const source = swarm.peer(server.url, { name: 'source' })
    const discovered = nextEvent<[string]>(source.client, 'discover')
    source.client.create()
    const [treeID] = await discovered
    const tab = await suite.browser.open(`${server.url}/app.html?tree=${encodeURIComponent(treeID)}`)
    await tab.page.waitForFunction(() => (window as any).upstream === true)
    // The source writes only to links connected at its end too.
    await until(() => source.downstreams === 1, { what: 'the source\'s end of the link' })
    const sent = Array.from({ length: 20 }, (_, i) => `m${i}`)
    for (const m of sent) source.client.write(m)
    await tab.page.waitForFunction((n) => (window as any).received.length >= n, sent.length)
    expect(await tab.page.evaluate(() => (window as any).received)).toEqual(sent)
    expect(await tab.page.evaluate(() => (window as any).pipes)).toBe(true)
    expect(tab.errors).toEqual([])
  }

  test('an esbuild app importing peer-tree-client joins a Node source\'s tree; its upstream is a simple-peer (it can pipe)', async () => {
    const dir = await tempDir()
    await treeDelivers(await buildWithEsbuild('tree', dir), { app: dir })
    expect(await carriesSimplePeer(dir)).toBe(true)
  })

  test('a Vite app importing peer-tree-client joins a Node source\'s tree; its upstream is a simple-peer (it can pipe)', async () => {
    const dir = await tempDir()
    await treeDelivers(await buildWithVite('tree', dir), { assets: join(dir, 'assets') })
    expect(await carriesSimplePeer(dir)).toBe(true)
  })
})
