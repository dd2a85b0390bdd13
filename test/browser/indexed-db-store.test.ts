// IndexedDbBlockStore in Chromium, through the feed global: the BlockStore cases the Node
// stores pass (bundled into the page), a database of another feed refused, and a burst of
// appends written in a few transactions rather than one per block.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { TestBrowser, type TestPage } from './helpers/chromium.js'
import { startPageServer, type PageServer } from './helpers/page-server.js'

const SUITE = fileURLToPath(new URL('../../packages/broadcast/test/conformance/block-store-suite.ts', import.meta.url))
const KEY_A = 'A'.repeat(43)
const KEY_B = 'B'.repeat(42) + 'A'

let browser: TestBrowser
let server: PageServer
let tab: TestPage

beforeAll(async () => {
  browser = await TestBrowser.launch()
  server = await startPageServer()
  const suite = await build({ entryPoints: [SUITE], bundle: true, write: false, format: 'iife', globalName: 'BlockStoreSuite', platform: 'browser' })
  server.page('suite.js', suite.outputFiles[0]!.text)
  server.page('store.html', '<!doctype html><meta charset="utf-8"><script src="/pkg/broadcast/index.global.js"></script><script src="/suite.js"></script>')
  tab = await browser.open(`${server.url}/store.html`)
})
afterAll(async () => {
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
  })
})
