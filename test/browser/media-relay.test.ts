// Video through a chain of pages with MediaRelay (source → f1 → f2 → last, k = k1 = 1).
// f1 is closed; f2 is re-placed under the source, and the last page's <video> keeps
// decoding frames: f2 swapped the new upstream's track into its existing sender in place,
// so the last page never renegotiated and saw no second 'stream' or 'track'.
import { readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { TestBrowser, type TestPage } from './helpers/chromium.js'
import { startPageServer, type PageServer } from './helpers/page-server.js'

const PAGE = readFileSync(new URL('./fixtures/media-relay.html', import.meta.url), 'utf8')
/** Frames the last page must decode after the repair (about 2 s of video at the source's rate). */
const MORE_FRAMES = 60

let browser: TestBrowser
let server: PageServer
let pages: TestPage[] = []

beforeAll(async () => { browser = await TestBrowser.launch() })
afterAll(async () => { await browser.close() })
afterEach(async () => {
  for (const p of pages) await p.close()
  pages = []
  await server?.close()
})

async function startPeer (treeID: string | null): Promise<TestPage> {
  const p = await browser.open(`${server.url}/media.html`)
  pages.push(p)
  await p.page.evaluate(({ url, treeID }) => { (window as any).start(url, treeID) }, { url: server.url, treeID })
  return p
}

const state = async (p: TestPage): Promise<any> => await p.page.evaluate(() => {
  const { frameTimes: _f, swapTimes: _s, ...rest } = (window as any).state
  return { ...rest, stats: (window as any).relay.stats }
})

describe('MediaRelay in pages', () => {
  test('video goes on below a forwarding page that is re-placed after its upstream closes', async () => {
    server = await startPageServer({ k: 1, k1: 1 })
    server.page('media.html', PAGE)

    const source = await startPeer(null)
    await source.page.waitForFunction(() => (window as any).state.treeID !== null)
    const treeID = (await state(source)).treeID as string
    // One at a time, so that breadth-first placement with k = k1 = 1 makes a chain.
    const chain: TestPage[] = []
    for (let i = 0; i < 3; i++) {
      const p = await startPeer(treeID)
      await p.page.waitForFunction(() => (window as any).state.frames >= 10, undefined, { timeout: 30_000 })
      chain.push(p)
    }
    const [f1, f2, last] = chain as [TestPage, TestPage, TestPage]
    const ids = await Promise.all([source, f1, f2].map(async (p) => (await state(p)).peerID))
    expect(await Promise.all([f1, f2, last].map(async (p) => (await state(p)).upstreamID))).toEqual(ids)

    await f1.close()
    // f2 is re-placed under the source and swaps the source's track into its sender to the last page.
    await f2.page.waitForFunction(() => (window as any).state.swaps.length >= 1, undefined, { timeout: 30_000 })
    const f2After = await state(f2)
    expect(f2After.upstreamID).toBe(ids[0])
    expect(f2After.swaps).toEqual([{ kind: 'video', senders: 1 }])
    // One sender was ever added on f2 (to the last page's link); the repair replaced its track.
    expect(f2After.stats).toEqual({ added: 1, replaced: 1 })

    const framesAtRepair = (await state(last)).frames as number
    await last.page.waitForFunction((n) => (window as any).state.frames >= n, framesAtRepair + MORE_FRAMES, { timeout: 30_000 })
    // f2's own <video> plays the same stable stream, with the new track swapped in.
    const f2Frames = f2After.frames as number
    await f2.page.waitForFunction((n) => (window as any).state.frames >= n, f2Frames + MORE_FRAMES, { timeout: 30_000 })

    const lastAfter = await state(last)
    // The last page was not moved and its link was not renegotiated: one 'stream', one 'track'.
    expect(lastAfter).toMatchObject({ discovers: 1, media: 1, swaps: [], streamEvents: 1, trackEvents: 1, upstreamID: ids[2] })
    for (const p of [source, f2, last]) {
      expect((await state(p)).relayErrors).toEqual([])
      expect(p.errors).toEqual([])
    }
  })
})
