// A mixed swarm: a Node source and five pages (script tags only, the feed global) on 3 trees.
// The busiest relay page is closed mid-stream; every other page delivers every entry in
// order and verifies the feed in the page; one page's export verifies in Node. A page that
// keeps an IndexedDB replica is reloaded: it goes on from its replica (delivering only the
// entries after what it had, fetching only the blocks it lacked), and its store then holds
// the whole log, which verifies.
import wrtc from '@roamhq/wrtc'
import { describe, expect, test } from 'vitest'
import { Feed, createNodeEd25519, verifyLog } from 'peer-tree-broadcast'
import { type TestPage } from './helpers/chromium.js'
import type { PageServer } from './helpers/page-server.js'
import { browserSuite } from './helpers/suite.js'

const TREES = 3
// Two children per tree at the source: the other pages hang below pages, so relays matter.
const PAGES = 5

// The page's own code, as an application would write it against the package's API. start()
// is called again after a reload: the replica's blocks are loaded before the join returns.
const PAGE = `<!doctype html><meta charset="utf-8">
<script src="/socket.io/socket.io.js"></script>
<script src="/pkg/broadcast/index.global.js"></script>
<script>
async function start (url, key, keepReplica) {
  const { Feed, IndexedDbBlockStore } = PeerTreeBroadcast
  window.seqs = []
  window.replica = keepReplica ? await IndexedDbBlockStore.open(key) : undefined
  window.replicaAtStart = window.replica ? window.replica.length : 0
  const sub = await Feed.join(io(url, { transports: ['websocket'] }), key, window.replica ? { replica: window.replica } : {})
  sub.on('entry', ({ seq }) => { window.seqs.push(seq) })
  sub.on('error', (err) => { console.error('feed error', err.message) })
  window.sub = sub
  return sub.forest.clients.map((c) => c.peerID)
}
async function verifyHere () {
  const { verifyLog, exportStore } = PeerTreeBroadcast
  const log = await verifyLog(await window.sub.export(), window.sub.key)
  let replica
  if (window.replica) {
    await window.sub.flush()
    const r = await verifyLog(await exportStore(window.replica, window.sub.feedKey), window.sub.key)
    replica = { ok: r.ok, complete: r.complete, entries: r.entries, blocks: r.blocks, length: window.replica.length }
  }
  return { ok: log.ok, complete: log.complete, entries: log.entries, replica }
}
</script>`

interface Tab { tab: TestPage, ids: string[], replica: boolean }

const suite = browserSuite()
const { swarm } = suite
let server: PageServer

const seqsOf = (t: TestPage): Promise<number[]> => t.page.evaluate(() => (window as any).seqs as number[])
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i)

async function waitForEntries (t: TestPage, n: number): Promise<void> {
  await t.page.waitForFunction((n) => (window as any).seqs?.length >= n, n, { timeout: 45_000 })
}

describe('a mixed swarm in Chromium', () => {
  test('Node source, five pages on 3 trees: a relay page leaves, a replica page reloads, every page gets and verifies every entry', async () => {
    server = await suite.server()
    server.page('swarm.html', PAGE)
    const feed = await Feed.create(swarm.socket(server.url), { wrtc, ed25519: createNodeEd25519(), trees: TREES, k1: 2 })
    swarm.onClose(() => feed.close())
    const append = async (from: number, to: number): Promise<void> => { for (let i = from; i < to; i++) await feed.append({ i, at: Date.now() }) }

    // The last page keeps a replica in IndexedDB and is the one reloaded.
    const tabs: Tab[] = []
    for (let i = 0; i < PAGES; i++) {
      const tab = await suite.browser.open(`${server.url}/swarm.html`)
      const replica = i === PAGES - 1
      const ids = await tab.page.evaluate(({ url, key, replica }) => (window as any).start(url, key, replica), { url: server.url, key: feed.key, replica })
      tabs.push({ tab, ids, replica })
    }

    await append(0, 30)
    for (const { tab } of tabs) await waitForEntries(tab, 30)

    // The page with the most children over all trees (not the replica page), by the server's own view.
    const children = new Map<string, number>()
    for (let t = 0; t < TREES; t++) {
      const snap = await server.treeServer.snapshot(`${feed.key}.${t}`)
      for (const p of snap?.peers ?? []) children.set(p.peerID, (children.get(p.peerID) ?? 0) + p.children.length)
    }
    const load = (t: Tab): number => t.ids.reduce((sum, id) => sum + (children.get(id) ?? 0), 0)
    const relay = tabs.filter((t) => !t.replica).sort((a, b) => load(b) - load(a))[0]!
    expect(load(relay)).toBeGreaterThan(0)

    // Closed mid-stream: entries keep coming while its children are re-placed.
    await append(30, 40)
    await relay.tab.close()
    await append(40, 60)
    const rest = tabs.filter((t) => t !== relay)
    for (const { tab } of rest) await waitForEntries(tab, 60)

    // The replica page: everything delivered is written, then it reloads while the feed goes on.
    const reloaded = rest.find((t) => t.replica)!
    const before = await reloaded.tab.page.evaluate(async () => {
      const w = window as any
      await w.sub.flush()
      return { delivered: w.seqs.length, stored: w.replica.length }
    })
    expect(before.delivered).toBe(60)
    await reloaded.tab.page.reload()
    await append(60, 70)
    const rejoin = await reloaded.tab.page.evaluate(async ({ url, key }) => {
      const w = window as any
      await w.start(url, key, true)
      return { loaded: w.replicaAtStart, contiguous: w.sub.stats().contiguous }
    }, { url: server.url, key: feed.key })
    // It opened what it stored before the reload and loaded (verified) all of it.
    expect(rejoin.loaded).toBe(before.stored)
    expect(rejoin.contiguous).toBeGreaterThanOrEqual(before.stored)
    await append(70, 100)

    for (const { tab } of rest) await waitForEntries(tab, tab === reloaded.tab ? 40 : 100)
    for (const { tab } of rest.filter((t) => t !== reloaded)) expect(await seqsOf(tab)).toEqual(range(0, 100))
    // After the reload: only the entries after what it had, in order, none fetched again.
    expect(await seqsOf(reloaded.tab)).toEqual(range(60, 100))
    const total = await verifyLog(await feed.export(), feed.key)
    expect(total.ok).toBe(true)
    const backfilled = await reloaded.tab.page.evaluate(() => (window as any).sub.stats().backfilled as number)
    // It asked only for blocks past its replica: those appended while it was away, and those a
    // tree had not brought yet when a link of its came up (history to that link's first HAVE).
    expect(backfilled).toBeLessThanOrEqual(total.blocks - before.stored)

    // Every remaining page verifies the feed in the page; the replica holds the whole log.
    for (const { tab, replica } of rest) {
      const report = await tab.page.evaluate(() => (window as any).verifyHere())
      expect(report).toMatchObject({ ok: true, complete: true, entries: 100 })
      if (replica) expect(report.replica).toEqual({ ok: true, complete: true, entries: 100, blocks: total.blocks, length: total.blocks })
    }

    // One page's export verifies in Node, with the feed key alone.
    const exported = await rest[0]!.tab.page.evaluate(async () => Array.from(await (window as any).sub.export() as Uint8Array))
    const inNode = await verifyLog(Uint8Array.from(exported), feed.key)
    expect(inNode).toMatchObject({ ok: true, complete: true, entries: 100, blocks: total.blocks })

    for (const { tab } of rest) expect(tab.errors).toEqual([])
  }, 180_000)
})
