// Live video through Chromium pages, side by side in one run: the same canvas frames (their
// counter painted as a barcode) carried as signed feed entries (peer-tree-broadcast/video) on
// one tree and on two, and as a MediaStream relayed by MediaRelay (unverified). Each mode is a
// chain of player pages under the source (k = k1 = 1). Prints, per mode: glass-to-glass
// latency by depth (barcode painted → barcode read out of the decoded picture), bytes each
// player received against the raw encoded stream, CPU of the whole browser per decoded frame,
// frames whose barcode does not read back (corrupt pictures), and the freeze below a player
// under the source when it closes (the longest gap between two decoded frames).
// Run after a build: node bench/video.mjs [--seconds 8] [--players 4] [--modes feed-1,feed-2,media]
import { createServer } from 'node:http'
import { readFile, readdir } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'
import { Server } from 'socket.io'
import PeerTreeServer from 'peer-tree-server'
import { machine } from './lib.mjs'
import { reportFigures } from './report.mjs'

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    players: { type: 'string', default: '4' },
    modes: { type: 'string', default: 'feed-1,feed-2,media' },
    help: { type: 'boolean', default: false }
  }
})
if (opts.help) {
  console.log('usage: node bench/video.mjs [--seconds 8] [--players 4] [--modes feed-1,feed-2,media]')
  process.exit(0)
}
const SECONDS = Number(opts.seconds)
const PLAYERS = Number(opts.players)
const FPS = 30
const BITRATE = 400_000
const CHURN_MS = 5000
const MODES = {
  'feed-1': { label: 'feed, 1 tree', feed: true, trees: 1 },
  'feed-2': { label: 'feed, 2 trees', feed: true, trees: 2 },
  media: { label: 'MediaStream relay', feed: false, trees: 1 }
}

const root = new URL('../', import.meta.url)
const FIXTURES = new URL('test/browser/fixtures/', root)
const files = {
  '/video.html': new URL('video.html', FIXTURES),
  '/media.html': new URL('video-media-relay.html', FIXTURES),
  '/fixtures/barcode.js': new URL('barcode.js', FIXTURES),
  '/pkg/broadcast/index.global.js': new URL('packages/broadcast/dist/index.global.js', root),
  '/pkg/broadcast/video.global.js': new URL('packages/broadcast/dist/video.global.js', root),
  '/pkg/client/index.global.js': new URL('packages/tree-client/dist/index.global.js', root),
  '/pkg/client/media.global.js': new URL('packages/tree-client/dist/media.global.js', root)
}
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows']
const WAIT = { timeout: 60_000 }

const q = (xs, f) => xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(f * (xs.length - 1))]
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** CPU milliseconds (user + system) of every process below `pid` (not `pid` itself), from /proc. */
async function treeCpuMs (pid) {
  const stats = new Map()
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const text = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => null)
    if (text === null) continue
    // Fields after the command (which may hold spaces) in parentheses.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
    stats.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) })
  }
  const below = new Set([pid])
  for (let grew = true; grew;) {
    grew = false
    for (const [p, s] of stats) if (!below.has(p) && below.has(s.ppid)) { below.add(p); grew = true }
  }
  let ticks = 0
  for (const p of below) if (p !== pid) ticks += stats.get(p)?.ticks ?? 0
  return ticks * 10 // USER_HZ is 100 on Linux
}

async function serve () {
  const http = createServer(async (req, res) => {
    const file = files[req.url]
    if (file === undefined) { if (!req.url.startsWith('/socket.io/')) res.writeHead(404).end(); return }
    const type = req.url.endsWith('.html') ? 'text/html' : 'text/javascript'
    res.writeHead(200, { 'content-type': type }).end(await readFile(file))
  })
  const io = new Server(http)
  const treeServer = new PeerTreeServer(io, { k: 1, k1: 1 })
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${http.address().port}`, treeServer, close: () => new Promise((resolve) => { treeServer.close(); io.close(() => resolve()) }) }
}

/** For each tree, every member's parent, from the server's own view. */
async function parentMaps (treeServer, treeIDs) {
  return await Promise.all(treeIDs.map(async (id) => {
    const snap = await treeServer.snapshot(id)
    const parent = new Map()
    for (const p of snap?.peers ?? []) for (const c of p.children) parent.set(c, p.peerID)
    return parent
  }))
}

/** The members above `peer` in one tree, nearest first: its depth is how many (1 = under the source). */
function above (parent, peer) {
  const out = []
  for (let p = parent.get(peer); p !== undefined; p = parent.get(p)) out.push(p)
  return out
}

async function runMode (browser, name) {
  const mode = MODES[name]
  const server = await serve()
  const contexts = []
  const open = async (path) => {
    const context = await browser.newContext()
    contexts.push(context)
    const page = await context.newPage()
    page.on('pageerror', (err) => console.error(`${name}: page error: ${err.message}`))
    await page.goto(`${server.url}${path}`)
    return page
  }
  const source = await open(mode.feed ? '/video.html' : '/media.html')
  let key, treeID
  if (mode.feed) {
    // Captured from the canvas as a track, as the media relay's source is: the same path in.
    key = await source.evaluate(async ({ url, trees, fps, bitrate }) => await window.startSource(url, { trees, k: 1, k1: 1, fps, keyFrameIntervalMs: 1000, bitrate, capture: true }),
      { url: server.url, trees: mode.trees, fps: FPS, bitrate: BITRATE })
  } else {
    await source.evaluate(({ url, fps }) => window.startMediaSource(url, { fps }), { url: server.url, fps: FPS })
    await source.waitForFunction(() => window.state.treeID !== null)
    treeID = await source.evaluate(() => window.state.treeID)
  }
  const players = []
  for (let i = 0; i < PLAYERS; i++) {
    const page = await open(mode.feed ? '/video.html' : '/media.html')
    const ids = mode.feed
      ? await page.evaluate(async ({ url, key }) => await window.startPlayer(url, key), { url: server.url, key })
      : (await page.evaluate(({ url, treeID }) => window.startMediaPlayer(url, treeID), { url: server.url, treeID }), [])
    await page.waitForFunction(() => window.state.decoded.length >= 10, undefined, WAIT)
    players.push({ page, ids: mode.feed ? ids : [await page.evaluate(() => window.state.peerID)] })
  }
  // Each player's depth: its shallowest over the trees (where the first copy comes from).
  const treeIDs = mode.feed ? Array.from({ length: mode.trees }, (_, t) => `${key}.${t}`) : [treeID]
  const placed = await parentMaps(server.treeServer, treeIDs)
  for (const p of players) p.depth = Math.min(...p.ids.map((id, t) => placed[t].has(id) ? above(placed[t], id).length : Infinity))

  // The steady window: latency, bytes, CPU.
  // Chromium and its processes are this process's children (the signalling server is not counted).
  const pid = process.pid
  const bytes = async () => await Promise.all(players.map((p) => p.page.evaluate(async () => {
    if (window.sub !== undefined) return window.sub.stats().bytesReceived
    let total = 0
    for (const pc of window.peerConnections ?? []) {
      const report = await pc.getStats()
      report.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') total += s.bytesReceived })
    }
    return total
  })))
  const encoded = async () => mode.feed ? await source.evaluate(() => window.source.stats().encodedBytes) : NaN
  const decodedCounts = async () => await Promise.all(players.map((p) => p.page.evaluate(() => window.state.decoded.length)))
  const [cpu0, bytes0, enc0, dec0, t0] = [await treeCpuMs(pid), await bytes(), await encoded(), await decodedCounts(), Date.now()]
  await sleep(SECONDS * 1000)
  const [cpu1, bytes1, enc1, dec1, t1] = [await treeCpuMs(pid), await bytes(), await encoded(), await decodedCounts(), Date.now()]

  const states = await Promise.all(players.map((p) => p.page.evaluate(() => window.state)))
  const painted = await source.evaluate(() => window.state.painted)
  const paintedAt = new Map(painted.map((p) => [p.n, p.at]))
  const latencyByDepth = new Map()
  let corrupt = 0
  let frames = 0
  for (const [i, s] of states.entries()) {
    const window = s.decoded.slice(dec0[i], dec1[i])
    for (const d of window) {
      frames++
      if (d.read < 0) { corrupt++; continue }
      const list = latencyByDepth.get(players[i].depth) ?? []
      list.push(d.at - paintedAt.get(d.read))
      latencyByDepth.set(players[i].depth, list)
    }
  }
  const seconds = (t1 - t0) / 1000
  const receivedPerPlayer = bytes1.map((b, i) => (b - bytes0[i]) / seconds)
  const result = {
    mode: mode.label,
    seconds,
    depths: [...latencyByDepth.keys()].sort((a, b) => a - b).map((depth) => {
      const l = latencyByDepth.get(depth)
      return { depth, frames: l.length, p50Ms: q(l, 0.5), p99Ms: q(l, 0.99) }
    }),
    framesPerSecondPerPlayer: frames / seconds / players.length,
    corruptFrames: corrupt,
    encodedKbps: mode.feed ? (enc1 - enc0) * 8 / seconds / 1000 : NaN,
    receivedKbpsPerPlayer: q(receivedPerPlayer, 0.5) * 8 / 1000,
    cpuMsPerFrame: (cpu1 - cpu0) / frames,
    cpuCoresBrowser: (cpu1 - cpu0) / 1000 / seconds
  }
  result.overheadVsEncoded = result.receivedKbpsPerPlayer / result.encodedKbps

  // Churn: a player under the source closes. Below it, pages it fed in every tree (cut off
  // until repaired) and pages it fed in some trees only (another tree still reaches them).
  const parents = await parentMaps(server.treeServer, treeIDs)
  const closed = players.find((p) => p.depth === 1) ?? players[0]
  const fedBy = (p) => p.ids.map((id, t) => above(parents[t], id).includes(closed.ids[t]))
  const closedAt = Date.now()
  await contexts[1 + players.indexOf(closed)].close()
  await sleep(CHURN_MS)
  const gaps = { cut: [], partly: [] }
  let corruptAfter = 0
  for (const p of players.filter((x) => x !== closed)) {
    const fed = fedBy(p)
    if (!fed.some(Boolean)) continue
    const decoded = (await p.page.evaluate(() => window.state.decoded)).filter((d) => d.at >= closedAt - 1000)
    let gap = 0
    for (let i = 1; i < decoded.length; i++) gap = Math.max(gap, decoded[i].at - decoded[i - 1].at)
    corruptAfter += decoded.filter((d) => d.read < 0).length
    gaps[fed.every(Boolean) ? 'cut' : 'partly'].push(gap)
  }
  result.churn = {
    cutPages: gaps.cut.length,
    cutLongestGapMs: gaps.cut.length > 0 ? Math.max(...gaps.cut) : NaN,
    partlyPages: gaps.partly.length,
    partlyLongestGapMs: gaps.partly.length > 0 ? Math.max(...gaps.partly) : NaN,
    corrupt: corruptAfter
  }

  for (const c of contexts) await c.close().catch(() => {})
  await server.close()
  return result
}

const fixed = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '-')
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS })
const results = []
try {
  for (const name of opts.modes.split(',')) {
    if (MODES[name] === undefined) throw new Error(`no mode ${name}: ${Object.keys(MODES).join(', ')}`)
    results.push(await runMode(browser, name))
  }
} finally {
  await browser.close()
}

console.log(`video through a chain of ${PLAYERS} player pages, ${FPS} fps 320x240 VP8 (feed: ${BITRATE / 1000} kbit/s target), ${SECONDS} s steady + the first player closing; one Chromium, ${machine}`)
for (const r of results) {
  console.log(`\n${r.mode}`)
  for (const d of r.depths) console.log(`  depth ${d.depth}: glass-to-glass p50 ${fixed(d.p50Ms)} ms, p99 ${fixed(d.p99Ms)} ms (${d.frames} frames)`)
  console.log(`  frames/s per player ${fixed(r.framesPerSecondPerPlayer)}, corrupt pictures ${r.corruptFrames}`)
  console.log(`  received per player ${fixed(r.receivedKbpsPerPlayer, 0)} kbit/s${r.mode.startsWith('feed') ? ` against ${fixed(r.encodedKbps, 0)} encoded (x${fixed(r.overheadVsEncoded, 2)})` : ' (RTP, its own encoder)'}`)
  console.log(`  browser CPU ${fixed(r.cpuMsPerFrame, 2)} ms per decoded frame (${fixed(r.cpuCoresBrowser, 2)} cores for all pages)`)
  const c = r.churn
  const part = c.partlyPages > 0 ? `; ${c.partlyPages} fed by it in one tree only: at most ${fixed(c.partlyLongestGapMs, 0)} ms` : ''
  console.log(`  a player under the source closed: ${c.cutPages} pages fed by it in every tree froze at most ${fixed(c.cutLongestGapMs, 0)} ms${part}; ${c.corrupt} corrupt pictures after`)
}
reportFigures('video', { players: PLAYERS, seconds: SECONDS, modes: results })
process.exit(0)
