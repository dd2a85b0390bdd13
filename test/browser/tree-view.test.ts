// The demo's pages in Chromium, served by the demo server itself (port 0): the live tree view
// draws the forest of a running feed (a Node source and Node subscribers on 3 trees) with one
// node per peer and tree, as the tree server's snapshots have it, each with its lag, and drops a
// peer's nodes when it leaves; the feed page starts a feed and another page joins it and shows
// every entry, verified.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import wrtc from '@roamhq/wrtc'
import type { Socket } from 'socket.io-client'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { Feed, createNodeEd25519, type FeedSubscriber } from 'peer-tree-broadcast'
import { startDemoServer, type DemoServer } from '../../scripts/lib/demo-server.mjs'
import { reportDelivery } from '../../scripts/pages/delivery-report.mjs'
import { Swarm } from '../helpers/swarm.js'
import { until } from '../helpers/wait.js'
import { TestBrowser, type TestPage } from './helpers/chromium.js'

const TREES = 3
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

let browser: TestBrowser
let server: DemoServer | undefined
const swarm = new Swarm()

beforeAll(async () => { browser = await TestBrowser.launch() })
afterAll(async () => { await browser.close() })
afterEach(async () => {
  await swarm.close()
  await server?.close()
  server = undefined
})

/** `tree:peerID:depth` for every member of every tree, from the tree server. */
async function snapshotNodes (demo: DemoServer, key: string): Promise<string[]> {
  const snaps = await Promise.all(Array.from({ length: TREES }, (_, i) => demo.treeServer.snapshot(`${key}.${i}`)))
  return snaps.flatMap((s, i) => s?.peers.map((p) => `${i}:${p.peerID}:${p.depth}`) ?? []).sort()
}

/** `tree:parent>child` for every link, from the tree server. */
async function snapshotLinks (demo: DemoServer, key: string): Promise<string[]> {
  const snaps = await Promise.all(Array.from({ length: TREES }, (_, i) => demo.treeServer.snapshot(`${key}.${i}`)))
  return snaps.flatMap((s, i) => s?.peers.filter((p) => p.parent !== null && p.depth > 0).map((p) => `${i}:${p.parent}>${p.peerID}`) ?? []).sort()
}

/** The same, as the page draws them. */
function drawnNodes (tab: TestPage): Promise<string[]> {
  return tab.page.evaluate(() => Array.from(document.querySelectorAll<SVGGElement>('section.tree g[data-peer]'))
    .map((g) => `${g.dataset['tree']}:${g.dataset['peer']}:${g.dataset['depth']}`).sort())
}

function drawnLinks (tab: TestPage): Promise<string[]> {
  return tab.page.evaluate(() => Array.from(document.querySelectorAll<SVGLineElement>('section.tree line[data-child]'))
    .map((l) => `${l.closest('section')?.dataset['tree']}:${l.dataset['parent']}>${l.dataset['child']}`).sort())
}

/** Waits until the page draws exactly what the tree server holds (re-read each round: repairs move members). */
async function untilDrawnAsHeld (tab: TestPage, demo: DemoServer, key: string): Promise<string[]> {
  let held: string[] = []
  let drawn: string[] = []
  await until(async () => {
    held = await snapshotNodes(demo, key)
    drawn = await drawnNodes(tab)
    return held.join() === drawn.join() && (await snapshotLinks(demo, key)).join() === (await drawnLinks(tab)).join()
  }, { what: 'the page draws the trees the server holds', describe: () => `held ${held.join(' ')}; drawn ${drawn.join(' ')}` })
  return held
}

interface NodePeer { sub: FeedSubscriber, socket: Socket, reporter: { close: () => void } }

describe('the live tree view', () => {
  test('draws one node per peer and tree as the server holds them, with each peer\'s lag, and drops the nodes of a peer that leaves', async () => {
    const demo = server = await startDemoServer()
    const ed25519 = createNodeEd25519()
    const sourceSocket = swarm.socket(demo.url)
    const feed = await Feed.create(sourceSocket, { wrtc, ed25519, trees: TREES, k: 2, k1: 2 })
    swarm.onClose(() => feed.close())
    const sourceReport = reportDelivery(sourceSocket, feed, { key: feed.key, name: 'source', source: true })
    swarm.onClose(() => sourceReport.close())
    const peers: NodePeer[] = []
    for (let i = 0; i < 4; i++) {
      const socket = swarm.socket(demo.url)
      const sub = await Feed.join(socket, feed.key, { wrtc, ed25519 })
      const reporter = reportDelivery(socket, sub, { key: feed.key, name: `n${i}` })
      swarm.onClose(() => { reporter.close(); sub.close() })
      peers.push({ sub, socket, reporter })
    }
    await until(() => peers.every((p) => p.sub.stats().trees === TREES), { what: `every subscriber has an upstream in all ${TREES} trees` })

    const tab = await browser.open(demo.pages(feed.key).tree)
    const held = await untilDrawnAsHeld(tab, demo, feed.key)
    // Five members (the source and 4 subscribers) in each of the 3 trees, each drawn once.
    expect(held).toHaveLength(5 * TREES)
    expect(new Set(held).size).toBe(held.length)
    for (let t = 0; t < TREES; t++) expect(held.filter((n) => n.startsWith(`${t}:`))).toHaveLength(5)
    // k1 = 2 for 4 subscribers: every tree has a second level.
    expect(held.some((n) => n.endsWith(':2'))).toBe(true)

    // Lag: every peer reports what it delivered; once all have everything, every node is 0 behind.
    const n = 30
    for (let i = 0; i < n; i++) await feed.append({ text: `entry ${i}` })
    await until(() => peers.every((p) => p.sub.stats().entries === n), { what: `every subscriber delivered ${n} entries` })
    await tab.page.waitForFunction((n) => document.body.dataset['head'] === String(n) &&
      Array.from(document.querySelectorAll<SVGGElement>('g[data-peer]')).every((g) => g.dataset['lag'] === '0'), n)
    expect(await tab.page.evaluate(() => Array.from(document.querySelectorAll('g[data-peer] text')).map((t) => t.textContent)))
      .toEqual(expect.arrayContaining(['source', 'n0', 'n1', 'n2', 'n3', 'lag 0']))

    const dir = await mkdtemp(join(tmpdir(), 'tree-view-'))
    try {
      const file = join(dir, 'tree-view.png')
      await tab.page.screenshot({ path: file, fullPage: true })
      const png = await readFile(file)
      expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE)
      expect(png.length).toBeGreaterThan(1000)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }

    // A peer leaves: its three nodes go, and the view follows the repairs below it.
    const leaver = peers[1] as NodePeer
    const gone = leaver.sub.forest.clients.map((c) => c.peerID).filter((id): id is string => id !== null)
    expect(gone).toHaveLength(TREES)
    // Its report stays open: the view must follow the tree server's changes, not the reports.
    leaver.sub.close()
    leaver.socket.disconnect()
    const rest = peers.filter((p) => p !== leaver)
    await until(async () => {
      const nodes = await snapshotNodes(demo, feed.key)
      return nodes.length === 4 * TREES && nodes.every((node) => !node.endsWith(':-1')) && rest.every((p) => p.sub.stats().trees === TREES)
    }, { what: 'the other subscribers are placed again in every tree' })
    const after = await untilDrawnAsHeld(tab, demo, feed.key)
    expect(after).toHaveLength(4 * TREES)
    const drawnIDs = (await drawnNodes(tab)).map((node) => node.split(':')[1])
    for (const id of gone) expect(drawnIDs).not.toContain(id)
    expect(tab.errors).toEqual([])
  })
})

describe('the feed page', () => {
  test('a page starts a feed, another page joins it and shows every entry, in order, verified; the tree view draws both', async () => {
    const demo = server = await startDemoServer()
    const source = await browser.open(`${demo.url}/`)
    await source.page.click('#start')
    await source.page.waitForFunction(() => /^[A-Za-z0-9_-]{43}$/.test(document.getElementById('key')?.textContent ?? ''))
    const key = await source.page.textContent('#key') ?? ''
    const append = async (text: string): Promise<void> => {
      const before = await source.page.locator('#entries li').count()
      await source.page.fill('#text', text)
      await source.page.click('#append-button')
      await source.page.waitForFunction((n) => document.querySelectorAll('#entries li').length === n, before + 1)
    }
    for (let i = 0; i < 10; i++) await append(`hello ${i}`)

    // The second page joins after 10 entries (it backfills them), then 10 more arrive live.
    const reader = await browser.open(demo.pages(key).feed)
    await reader.page.waitForFunction(() => document.querySelectorAll('#entries li').length === 10)
    for (let i = 10; i < 20; i++) await append(`hello ${i}`)
    await reader.page.waitForFunction(() => document.querySelectorAll('#entries li').length === 20)

    const rows = await reader.page.evaluate(() => Array.from(document.querySelectorAll<HTMLLIElement>('#entries li'))
      .map((li) => ({ seq: li.dataset['seq'], mark: li.querySelector('.verified')?.textContent, text: li.lastChild?.textContent })))
    expect(rows).toEqual(Array.from({ length: 20 }, (_, i) => ({ seq: String(i), mark: '✓ verified', text: `hello ${i}` })))
    expect(await reader.page.textContent('#key')).toBe(key)
    expect(await reader.page.textContent('#count')).toBe('20')
    await reader.page.waitForFunction(() => document.getElementById('state')?.textContent?.startsWith('live') === true)
    // The server lists the feed; both pages report their delivery for the tree view.
    await until(() => demo.board.stats().reports === 2, { what: 'both pages report their delivery' })
    expect(demo.board.stats()).toMatchObject({ feeds: 1, dropped: 0 })

    // The tree view of a page's feed: the source page and the reader page in each of 3 trees, the reader 0 behind.
    const view = await browser.open(`${demo.url}/tree.html`) // no key: it follows the one live feed
    await untilDrawnAsHeld(view, demo, key)
    expect(await drawnNodes(view)).toHaveLength(2 * TREES)
    await view.page.waitForFunction(() => document.body.dataset['head'] === '20' &&
      Array.from(document.querySelectorAll<SVGGElement>('g[data-peer]')).every((g) => g.dataset['lag'] === '0'))
    expect(await view.page.textContent('#key')).toBe(key)
    for (const tab of [source, reader, view]) expect(tab.errors).toEqual([])
  })
})
