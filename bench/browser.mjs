// The browser figures: a few Chromium pages (Debian's chromium through playwright-core), each
// in a context of its own, against a Node source on loopback.
// - join times: the client global's connect() until 'upstreamPeer', and the feed global's
//   Feed.join until it resolves;
// - one hop Node → page: a client message (timestamp inside) from write() to the page's
//   'data', and a feed entry from append() to the page's 'entry' (sign, send, verify, deliver);
// - IndexedDbBlockStore appends: a burst (one transaction) against one awaited at a time.
// Timestamps are performance.timeOrigin + performance.now() on both sides: one machine, one
// system clock. The offset between the two is estimated (the shortest of 30 round trips) and
// printed as a check, not subtracted: the estimate is coarser than the offset.
// Run after a build: node bench/browser.mjs (PAGES=6 for more pages)
import { readFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { io as connect } from 'socket.io-client'
import wrtc from '@roamhq/wrtc'
import { PeerTreeClient } from 'peer-tree-client'
import { Feed, createNodeEd25519 } from 'peer-tree-broadcast'
import { machine, startSignalServer } from './lib.mjs'

const PAGES = Number(process.env.PAGES ?? 4)
const N = 300
const GAP_MS = 10
const PAYLOAD = 'x'.repeat(1000)
const ROOT = fileURLToPath(new URL('../', import.meta.url))
const DIRS = { client: join(ROOT, 'packages/tree-client/dist'), broadcast: join(ROOT, 'packages/broadcast/dist') }
const PAGE = '<!doctype html><meta charset="utf-8"><script src="/socket.io/socket.io.js"></script>' +
  '<script src="/pkg/client/index.global.js"></script><script src="/pkg/broadcast/index.global.js"></script>'
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const now = () => performance.timeOrigin + performance.now()

function summary (xs) {
  const s = [...xs].sort((a, b) => a - b)
  const at = (q) => s[Math.min(s.length - 1, Math.floor(s.length * q))].toFixed(2)
  return `median ${at(0.5)} ms  p99 ${at(0.99)} ms  min ${s[0].toFixed(2)}  max ${s[s.length - 1].toFixed(2)}  (n=${s.length})`
}

/** Serves the page and the packages' built files; socket.io serves its own client. */
async function serve (req, res) {
  if (req.url.startsWith('/socket.io/')) return
  const path = new URL(req.url, 'http://x').pathname
  if (path === '/page.html') return send(res, 'text/html', PAGE)
  const [, pkg, ...rest] = path.slice(1).split('/')
  const dir = DIRS[pkg]
  const file = dir === undefined ? '' : normalize(join(dir, ...rest))
  if (dir === undefined || !file.startsWith(dir + sep)) return send(res, 'text/plain', '', 404)
  try {
    send(res, extname(file) === '.js' ? 'text/javascript' : 'application/octet-stream', await readFile(file))
  } catch {
    send(res, 'text/plain', '', 404)
  }
}

function send (res, type, body, status = 200) {
  res.writeHead(status, { 'content-type': type })
  res.end(body)
}

/** How far the page's clock is ahead of this one: the sample with the shortest round trip. */
async function clockOffset (page) {
  let best = { rtt: Infinity, offset: 0 }
  for (let i = 0; i < 30; i++) {
    const t0 = now()
    const there = await page.evaluate(() => performance.timeOrigin + performance.now())
    const t1 = now()
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: there - (t0 + t1) / 2 }
  }
  return best
}

async function openPages (browser, url) {
  const pages = []
  for (let i = 0; i < PAGES; i++) {
    const context = await browser.newContext()
    const page = await context.newPage()
    page.on('pageerror', (err) => console.error('page error:', err.message))
    await page.goto(`${url}/page.html`)
    pages.push({ context, page })
  }
  return pages
}

async function clientFigures (browser, url) {
  const source = new PeerTreeClient(connect(url, { transports: ['websocket'], forceNew: true }), { wrtc })
  const treeID = await new Promise((resolve) => { source.once('discover', resolve); source.create() })
  const pages = await openPages(browser, url)
  const joins = []
  for (const { page } of pages) {
    joins.push(await page.evaluate(({ url, treeID }) => new Promise((resolve) => {
      const w = window
      w.lat = []
      const client = new w.PeerTreeClient(w.io(url, { transports: ['websocket'] }))
      const t0 = performance.now()
      client.on('upstreamPeer', (peer) => {
        peer.on('data', (d) => { w.lat.push(performance.timeOrigin + performance.now() - JSON.parse(new TextDecoder().decode(d)).t) })
        resolve(performance.now() - t0)
      })
      client.connect(treeID)
    }), { url, treeID }))
  }
  const offsets = await Promise.all(pages.map(({ page }) => clockOffset(page)))
  for (let i = 0; i < N; i++) { source.write(JSON.stringify({ t: now(), p: PAYLOAD })); await sleep(GAP_MS) }
  await sleep(300)
  const lat = []
  for (const { page } of pages) for (const x of await page.evaluate(() => window.lat)) lat.push(x)
  for (const { context } of pages) await context.close()
  source.destroy()
  return { joins, lat, offsets }
}

async function feedFigures (browser, url) {
  const socket = connect(url, { transports: ['websocket'], forceNew: true })
  const feed = await Feed.create(socket, { wrtc, ed25519: createNodeEd25519(), trees: 3 })
  const pages = await openPages(browser, url)
  const joins = []
  for (const { page } of pages) {
    joins.push(await page.evaluate(async ({ url, key }) => {
      const w = window
      w.lat = []
      const t0 = performance.now()
      const sub = await w.PeerTreeBroadcast.Feed.join(w.io(url, { transports: ['websocket'] }), key)
      const took = performance.now() - t0
      sub.on('entry', ({ data }) => { w.lat.push(performance.timeOrigin + performance.now() - data.t) })
      w.sub = sub
      return took
    }, { url, key: feed.key }))
  }
  // Every page on all three trees before timing a hop.
  for (const { page } of pages) await page.waitForFunction(() => window.sub.stats().trees === 3)
  const ed = await pages[0].page.evaluate(() => window.PeerTreeBroadcast.getEd25519().then((e) => e.backendName))
  for (let i = 0; i < N; i++) { await feed.append({ t: now(), p: PAYLOAD }); await sleep(GAP_MS) }
  await sleep(500)
  const lat = []
  for (const { page } of pages) for (const x of await page.evaluate(() => window.lat)) lat.push(x)
  for (const { context } of pages) await context.close()
  feed.close()
  socket.disconnect()
  return { joins, lat, ed }
}

async function storeFigures (browser, url) {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(`${url}/page.html`)
  const figures = await page.evaluate(async () => {
    const { IndexedDbBlockStore } = window.PeerTreeBroadcast
    const key = 'A'.repeat(43)
    const bytes = new Uint8Array(1024)
    const burst = await IndexedDbBlockStore.open(key, { name: 'burst' })
    let t0 = performance.now()
    await Promise.all(Array.from({ length: 2000 }, (_, i) => burst.append(i, bytes)))
    const burstMs = performance.now() - t0
    const tx = burst.transactions
    await burst.close()
    const one = await IndexedDbBlockStore.open(key, { name: 'one by one' })
    t0 = performance.now()
    for (let i = 0; i < 300; i++) await one.append(i, bytes)
    const oneMs = performance.now() - t0
    await one.close()
    t0 = performance.now()
    const reopened = await IndexedDbBlockStore.open(key, { name: 'burst' })
    for (let i = 0; i < reopened.length; i++) await reopened.get(i)
    const readMs = performance.now() - t0
    await reopened.close()
    return { burstPerS: 2000 / burstMs * 1000, tx, onePerS: 300 / oneMs * 1000, readPerS: 2000 / readMs * 1000 }
  })
  await context.close()
  return figures
}

const server = await startSignalServer({ k1: PAGES }, serve)
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-timer-throttling', '--disable-renderer-backgrounding'] })
console.log(`Chromium ${browser.version()}, ${PAGES} pages (a context each), Node source on loopback; ${machine}, load ${loadavg()[0].toFixed(1)}`)
const client = await clientFigures(browser, server.url)
console.log(`client connect → upstreamPeer  ${summary(client.joins)}  [${client.joins.map((x) => x.toFixed(0)).join(', ')}]`)
console.log(`clock offset page − node      ${client.offsets.map((o) => `${o.offset.toFixed(2)} ms (rtt ${o.rtt.toFixed(2)})`).join(', ')}`)
console.log(`one hop, client message       ${summary(client.lat)}  (~1 KiB, one every ${GAP_MS} ms)`)
const feed = await feedFigures(browser, server.url)
console.log(`Feed.join (3 trees)           ${summary(feed.joins)}  [${feed.joins.map((x) => x.toFixed(0)).join(', ')}]`)
console.log(`one hop, feed entry           ${summary(feed.lat)}  (~1 KiB, one every ${GAP_MS} ms, Ed25519 in the page: ${feed.ed})`)
const store = await storeFigures(browser, server.url)
console.log(`IndexedDbBlockStore, 1 KiB blocks: a burst of 2000 ${store.burstPerS.toFixed(0)}/s in ${store.tx} transaction(s); awaited one by one ${store.onePerS.toFixed(0)}/s; read back ${store.readPerS.toFixed(0)}/s`)
await browser.close()
server.close()
process.exit(0)
