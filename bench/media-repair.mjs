// Video through a chain of Chromium pages with MediaRelay (source → f1 → f2 → last, k = k1 = 1):
// f1 is closed, f2 is re-placed under the source and swaps the new track into its sender.
// Prints, per round, the last page's frames/s before and after, its longest gap between two
// decoded frames around the repair (the freeze; f2's own too), and when f2 swapped, counted
// from the close.
// Run after a build: node bench/media-repair.mjs [rounds]
import { createServer } from 'node:http'
import { readFile } from 'node:fs/promises'
import { chromium } from 'playwright-core'
import { Server } from 'socket.io'
import PeerTreeServer from 'peer-tree-server'
import { machine } from './lib.mjs'

const ROUNDS = Number(process.argv[2] ?? 3)
const WINDOW_MS = 2000
const root = new URL('../', import.meta.url)
const files = {
  '/media.html': ['text/html', new URL('test/browser/fixtures/media-relay.html', root)],
  '/pkg/client/index.global.js': ['text/javascript', new URL('packages/tree-client/dist/index.global.js', root)],
  '/pkg/client/media.global.js': ['text/javascript', new URL('packages/tree-client/dist/media.global.js', root)]
}
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows']

async function round (browser) {
  const http = createServer(async (req, res) => {
    const file = files[req.url]
    if (file === undefined) { if (!req.url.startsWith('/socket.io/')) res.writeHead(404).end(); return }
    res.writeHead(200, { 'content-type': file[0] }).end(await readFile(file[1]))
  })
  const io = new Server(http)
  const treeServer = new PeerTreeServer(io, { k: 1, k1: 1 })
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${http.address().port}`
  const contexts = []
  const open = async (treeID) => {
    const context = await browser.newContext()
    contexts.push(context)
    const page = await context.newPage()
    await page.goto(`${url}/media.html`)
    await page.evaluate(({ url, treeID }) => window.start(url, treeID), { url, treeID })
    return page
  }
  const source = await open(null)
  await source.waitForFunction(() => window.state.treeID !== null)
  const treeID = await source.evaluate(() => window.state.treeID)
  const chain = []
  for (let i = 0; i < 3; i++) {
    const page = await open(treeID)
    await page.waitForFunction(() => window.state.frames >= 10, undefined, { timeout: 30_000 })
    chain.push(page)
  }
  const [, f2, last] = chain
  // Two seconds of video before the close.
  await last.waitForFunction((n) => window.state.frames >= n, await last.evaluate(() => window.state.frames) + 60, { timeout: 30_000 })
  const closedAt = Date.now()
  await contexts[1].close()
  await f2.waitForFunction(() => window.state.swaps.length >= 1, undefined, { timeout: 30_000 })
  const swappedAt = await f2.evaluate(() => window.state.swapTimes[0])
  await last.waitForFunction((t) => window.state.frameTimes.at(-1) > t, swappedAt + 2 * WINDOW_MS, { timeout: 30_000 })
  const [times, ownTimes] = await Promise.all([last, f2].map((p) => p.evaluate(() => window.state.frameTimes)))
  for (const c of contexts) await c.close().catch(() => {})
  treeServer.close()
  io.close()

  const fps = (from, to) => times.filter((t) => t >= from && t < to).length / ((to - from) / 1000)
  const gap = longestGap(times, closedAt, swappedAt + WINDOW_MS)
  return {
    before: fps(closedAt - WINDOW_MS, closedAt),
    after: fps(gap.resumedAt, gap.resumedAt + WINDOW_MS),
    freeze: gap.ms,
    ownFreeze: longestGap(ownTimes, closedAt, swappedAt + WINDOW_MS).ms,
    swap: swappedAt - closedAt
  }
}

/** The longest gap between two frames from `from` to `to`, and the frame that ended it. */
function longestGap (times, from, to) {
  let ms = 0
  let resumedAt = from
  for (let i = 1; i < times.length; i++) {
    if (times[i] < from || times[i - 1] > to) continue
    if (times[i] - times[i - 1] > ms) { ms = times[i] - times[i - 1]; resumedAt = times[i] }
  }
  return { ms, resumedAt }
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS })
console.log(`media repair through Chromium pages, ${machine}`)
try {
  for (let i = 0; i < ROUNDS; i++) {
    const r = await round(browser)
    console.log(`round ${i + 1}: last page ${r.before.toFixed(1)} frames/s before, ${r.after.toFixed(1)} after; ` +
      `longest gap ${r.freeze.toFixed(0)} ms (f2's own ${r.ownFreeze.toFixed(0)} ms); f2 swapped ${r.swap} ms after the close`)
  }
} finally {
  await browser.close()
}
