// The demo's video page in Chromium, served by the demo server: one page broadcasts an animated
// canvas, another watches it through the feed and decodes frames into its canvas; the fake
// camera broadcasts the same way.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { startDemoServer, type DemoServer } from '../../scripts/lib/demo-server.mjs'
import { TestBrowser, type TestPage } from './helpers/chromium.js'

let browser: TestBrowser
let server: DemoServer | undefined

beforeAll(async () => { browser = await TestBrowser.launch() })
afterAll(async () => { await browser.close() })
afterEach(async () => {
  await browser.closePages()
  await server?.close()
  server = undefined
})

/** Clicks `button` on the broadcast page and returns the feed key it shows. */
async function broadcast (page: TestPage, button: string): Promise<string> {
  await page.page.click(button)
  await page.page.waitForFunction(() => /^[A-Za-z0-9_-]{43}$/.test(document.getElementById('key')?.textContent ?? ''))
  return await page.page.textContent('#key') ?? ''
}

const decoded = async (p: TestPage): Promise<number> => await p.page.evaluate(() => (window as any).player?.stats().frames ?? 0)

describe('the video page', { timeout: 120_000 }, () => {
  test.each([['an animated canvas', '#canvas'], ['the fake camera', '#camera']])('a page broadcasts %s, another watches it: frames decode into its canvas', async (_what, button) => {
    const demo = server = await startDemoServer()
    const source = await browser.open(`${demo.url}/video.html`)
    const key = await broadcast(source, button)
    const viewer = await browser.open(demo.pages(key).video)
    await viewer.page.waitForFunction(() => ((window as any).player?.stats().frames ?? 0) >= 30, undefined, { timeout: 45_000 })
    const stats = await viewer.page.evaluate(() => ({ player: (window as any).player.stats(), sub: (window as any).sub.stats() }))
    expect(stats.player.decodeErrors).toBe(0)
    expect(stats.sub.invalid).toBe(0)
    // The frames were drawn: the canvas took the stream's size.
    const size = await viewer.page.evaluate(() => { const c = document.getElementById('screen') as HTMLCanvasElement; return [c.width, c.height] })
    expect(size[0]).toBeGreaterThan(0)
    expect(await decoded(viewer)).toBeGreaterThanOrEqual(30)
    expect(await viewer.page.textContent('#role')).toBe('a viewer')
    expect(source.errors).toEqual([])
    expect(viewer.errors).toEqual([])
  })
})
