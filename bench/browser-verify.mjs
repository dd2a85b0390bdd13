// Verified entries per second in a Chromium page (the target is 50,000/s in a browser).
// Run after a build:  pnpm run build && node bench/browser-verify.mjs
// Node signs a log (100 B entries, blocks of 1, 16, 64 and 256 entries); the page loads the
// feed's standalone build, fetches each export and checks it whole with verifyLog, once per
// Ed25519 backend the page has (WebCrypto where Chromium has Ed25519, noble always).
import { createServer } from 'node:http'
import { readFile } from 'node:fs/promises'
import { chromium } from 'playwright-core'
import { createNodeEd25519, encodeExport, headerHash, signBlock, zeroHash } from 'peer-tree-broadcast'
import { reportFigures } from './report.mjs'

const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 65_536)
// Small blocks cost a signature each: fewer of them keep a row to seconds (noble is slow).
const MAX_BLOCKS = 2048
const entriesFor = (perBlock) => Math.min(ENTRIES, perBlock * MAX_BLOCKS)
const ENTRY_BYTES = 100
const GLOBAL = new URL('../packages/broadcast/dist/index.global.js', import.meta.url)

const node = createNodeEd25519()
const { publicKey, secretKey } = await node.generateKeyPair()

async function makeExport (perBlock) {
  const blocks = []
  let prevHash = zeroHash()
  for (let i = 0; i < entriesFor(perBlock) / perBlock; i++) {
    const entries = Array.from({ length: perBlock }, () => crypto.getRandomValues(new Uint8Array(ENTRY_BYTES)))
    const b = await signBlock({ feedKey: publicKey, index: i, firstSeq: i * perBlock, prevHash, entries }, secretKey, node)
    blocks.push({ header: b.header, signature: b.signature, entries: b.entries })
    prevHash = headerHash(b.header)
  }
  return encodeExport(publicKey, blocks)
}

const sizes = [1, 16, 64, 256]
const exports = new Map()
for (const perBlock of sizes) exports.set(`/log-${perBlock}.bin`, await makeExport(perBlock))
const script = await readFile(GLOBAL)
const http = createServer((req, res) => {
  if (req.url === '/') return res.end('<!doctype html><meta charset="utf-8"><script src="/feed.js"></script>')
  if (req.url === '/feed.js') return res.end(script)
  const body = exports.get(req.url)
  if (body === undefined) { res.statusCode = 404; return res.end() }
  res.end(body)
})
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${http.address().port}/`

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] })
try {
  const page = await browser.newPage()
  await page.goto(url)
  const version = browser.version()
  const webcrypto = await page.evaluate(() => window.PeerTreeBroadcast.webCryptoSupportsEd25519())
  console.log(`peer-tree-broadcast in a page: Chromium ${version}, ${ENTRIES.toLocaleString('en-US')} entries of ${ENTRY_BYTES} B (at most ${MAX_BLOCKS} blocks), verifyLog over the whole export`)
  console.log(`WebCrypto Ed25519 in the page: ${webcrypto ? 'yes' : 'no'}`)
  console.log('')
  console.log('backend     entries/block   entries   entries/s     ms')
  const figures = { chromium: version, webcrypto, entryBytes: ENTRY_BYTES, rows: [] }
  for (const perBlock of sizes) {
    for (const backend of webcrypto ? ['webcrypto', 'noble'] : ['noble']) {
      const r = await page.evaluate(async ({ path, backend, key }) => {
        const B = window.PeerTreeBroadcast
        const bytes = new Uint8Array(await (await fetch(path)).arrayBuffer())
        const verifier = backend === 'noble' ? B.nobleEd25519 : B.createWebCryptoEd25519()
        const t0 = performance.now()
        const report = await B.verifyLog(bytes, new Uint8Array(key), { verifier })
        return { ok: report.ok, entries: report.entries, ms: performance.now() - t0 }
      }, { path: `/log-${perBlock}.bin`, backend, key: Array.from(publicKey) })
      if (!r.ok || r.entries !== entriesFor(perBlock)) throw new Error(`page failed to verify the ${perBlock}-entry log`)
      const rate = Math.round(r.entries / (r.ms / 1000)).toLocaleString('en-US')
      console.log(`${backend.padEnd(11)} ${String(perBlock).padStart(13)}   ${String(r.entries).padStart(7)}   ${rate.padStart(9)}   ${String(Math.round(r.ms)).padStart(5)}`)
      figures.rows.push({ backend, perBlock, entries: r.entries, entriesPerSecond: Math.round(r.entries / (r.ms / 1000)), ms: Math.round(r.ms) })
    }
  }
  reportFigures('browser-verify', figures)
} finally {
  await browser.close()
  http.close()
}
