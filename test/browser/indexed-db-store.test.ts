// IndexedDbBlockStore in Chromium, through the feed global: the BlockStore cases the Node
// stores pass (bundled into the page), a database of another feed refused, a burst of
// appends written in one transaction rather than one per block, and a replica whose stored
// block was damaged: a reloaded page loads what still verifies, keeps the rest aside and
// fetches it again.
import wrtc from '@roamhq/wrtc'
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Feed, createNodeEd25519 } from 'peer-tree-broadcast'
import { Swarm } from '../helpers/swarm.js'
import { TestBrowser, type TestPage } from './helpers/chromium.js'
import { startPageServer, type PageServer } from './helpers/page-server.js'

const SUITE = fileURLToPath(new URL('../../packages/broadcast/test/conformance/block-store-suite.ts', import.meta.url))
const KEY_A = 'A'.repeat(43)
const KEY_B = 'B'.repeat(42) + 'A'

let browser: TestBrowser
let server: PageServer
let tab: TestPage
const swarm = new Swarm()

beforeAll(async () => {
  browser = await TestBrowser.launch()
  server = await startPageServer()
  const suite = await build({ entryPoints: [SUITE], bundle: true, write: false, format: 'iife', globalName: 'BlockStoreSuite', platform: 'browser' })
  server.page('suite.js', suite.outputFiles[0]!.text)
  server.page('store.html', '<!doctype html><meta charset="utf-8"><script src="/socket.io/socket.io.js"></script><script src="/pkg/broadcast/index.global.js"></script><script src="/suite.js"></script>')
  tab = await browser.open(`${server.url}/store.html`)
})
afterAll(async () => {
  await swarm.close()
  await browser.close()
  await server.close()
})

describe('IndexedDbBlockStore in Chromium', () => {
  test('passes the BlockStore cases, the persistent ones included', async () => {
    const ran = await tab.page.evaluate(async (key) => {
      const w = window as any
      const open = (name: string) => () => w.PeerTreeBroadcast.IndexedDbBlockStore.open(key, { name: `case: ${name}` })
      return await w.BlockStoreSuite.runBlockStoreCases((name: string) => ({ open: open(name) }), true)
    }, KEY_A)
    const { blockStoreCases } = await import('../../packages/broadcast/test/conformance/block-store-suite.js')
    expect(ran).toEqual(blockStoreCases.map((c) => c.name))
    expect(tab.errors).toEqual([])
  })

  test('a database of another feed is refused with REPLICA_WRONG_FEED, and so is a replica of another feed in Feed.join', async () => {
    const result = await tab.page.evaluate(async ({ a, b }) => {
      const { IndexedDbBlockStore, Feed } = (window as any).PeerTreeBroadcast
      const store = await IndexedDbBlockStore.open(a, { name: 'shared name' })
      await store.append(0, new Uint8Array([1, 2, 3]))
      await store.close()
      const other = await IndexedDbBlockStore.open(b, { name: 'shared name' }).then(() => 'opened', (err: any) => err.code)
      const mine = await IndexedDbBlockStore.open(a, { name: 'shared name' })
      const kept = mine.length
      // Refused before the socket is touched, so none is needed here.
      const join = await Feed.join({}, b, { replica: mine }).then(() => 'joined', (err: any) => err.code)
      await mine.close()
      return { other, kept, join }
    }, { a: KEY_A, b: KEY_B })
    expect(result).toEqual({ other: 'REPLICA_WRONG_FEED', kept: 1, join: 'REPLICA_WRONG_FEED' })
    expect(tab.errors).toEqual([])
  })

  test('a burst of appends shares transactions; appends awaited one by one take one each', async () => {
    const counts = await tab.page.evaluate(async (key) => {
      const { IndexedDbBlockStore } = (window as any).PeerTreeBroadcast
      const bytes = new Uint8Array(1024)
      const burst = await IndexedDbBlockStore.open(key, { name: 'burst' })
      await Promise.all(Array.from({ length: 200 }, (_, i) => burst.append(i, bytes)))
      const one = await IndexedDbBlockStore.open(key, { name: 'one by one' })
      for (let i = 0; i < 20; i++) await one.append(i, bytes)
      const out = { burst: burst.transactions, oneByOne: one.transactions }
      await burst.close()
      await one.close()
      return out
    }, KEY_A)
    expect(counts.burst).toBe(1)
    expect(counts.oneByOne).toBe(20)
    expect(tab.errors).toEqual([])
  })

  test('a damaged stored block: the reloaded page loads the blocks before it, keeps the rest aside, and fetches them again', async () => {
    const feed = await Feed.create(swarm.socket(server.url), { wrtc, ed25519: createNodeEd25519() })
    swarm.onClose(() => feed.close())
    const opened = await browser.open(`${server.url}/store.html`)
    const page = opened.page
    const join = (): Promise<number> => page.evaluate(async ({ url, key }) => {
      const w = window as any
      w.seqs = []
      w.replica = await w.PeerTreeBroadcast.IndexedDbBlockStore.open(key)
      const stored = w.replica.length
      w.sub = await w.PeerTreeBroadcast.Feed.join(w.io(url, { transports: ['websocket'] }), key, { replica: w.replica })
      w.sub.on('entry', ({ seq }: { seq: number }) => { w.seqs.push(seq) })
      return stored
    }, { url: server.url, key: feed.key })
    const entries = (n: number): Promise<unknown> => page.waitForFunction((n) => (window as any).seqs.length >= n, n)

    expect(await join()).toBe(0)
    for (let i = 0; i < 20; i++) await feed.append({ i })
    await entries(20)
    await page.evaluate(async () => { await (window as any).sub.flush() })
    await page.reload()
    // Block 12 damaged in the database, as another script on the origin could do it.
    await page.evaluate(async (name) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(name)
        r.onsuccess = () => resolve(r.result)
        r.onerror = () => reject(r.error)
      })
      const blocks = db.transaction('blocks', 'readwrite').objectStore('blocks')
      const bytes = await new Promise<Uint8Array>((resolve) => { const r = blocks.get(12); r.onsuccess = () => resolve(r.result) })
      bytes[40] = bytes[40]! ^ 0xff
      await new Promise((resolve) => { blocks.put(bytes, 12).onsuccess = resolve })
      db.close()
    }, `peer-tree-replica/${feed.key}`)

    expect(await join()).toBe(20)
    for (let i = 20; i < 25; i++) await feed.append({ i })
    await entries(13)
    const after = await page.evaluate(async () => {
      const w = window as any
      await w.sub.flush()
      const r = await w.PeerTreeBroadcast.verifyLog(await w.PeerTreeBroadcast.exportStore(w.replica, w.sub.feedKey), w.sub.key)
      return { seqs: w.seqs, preserved: w.replica.preserved.length, length: w.replica.length, ok: r.ok, complete: r.complete, entries: r.entries }
    })
    // The blocks before the damaged one were kept; from it on they came again, in order.
    expect(after.seqs).toEqual(Array.from({ length: 13 }, (_, i) => 12 + i))
    expect(after).toMatchObject({ preserved: 1, length: 25, ok: true, complete: true, entries: 25 })
    expect(opened.errors).toEqual([])
  })
})
