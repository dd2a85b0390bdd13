// The demo's server: one HTTP server on 127.0.0.1 carrying the PeerTreeServer's signalling
// (socket.io, which also serves its client at /socket.io/socket.io.js), the demo's own
// namespace (demo-board.mjs) and the pages: `/` starts or joins a feed, `/tree.html` draws
// the live forest of a feed, `/video.html` broadcasts or watches live video over a feed. The pages load the feed's standalone build and d3-hierarchy.
import { createServer } from 'node:http'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Server } from 'socket.io'
import PeerTreeServer from 'peer-tree-server'
import { startBoard } from './demo-board.mjs'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const PAGES = join(ROOT, 'scripts/pages')
const D3_HIERARCHY = join(dirname(createRequire(import.meta.url).resolve('d3-hierarchy')), 'd3-hierarchy.min.mjs')

const TYPES = { '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json' }

/** Every path a page may ask for, and its file: nothing else is served. */
const FILES = new Map([
  ['/', join(PAGES, 'feed.html')],
  ['/tree.html', join(PAGES, 'tree.html')],
  ['/video.html', join(PAGES, 'video.html')],
  ['/pages/video-page.mjs', join(PAGES, 'video-page.mjs')],
  ['/pages/style.css', join(PAGES, 'style.css')],
  ['/pages/feed-page.mjs', join(PAGES, 'feed-page.mjs')],
  ['/pages/tree-page.mjs', join(PAGES, 'tree-page.mjs')],
  ['/pages/tree-layout.mjs', join(PAGES, 'tree-layout.mjs')],
  ['/pages/delivery-report.mjs', join(PAGES, 'delivery-report.mjs')],
  ['/pkg/broadcast/index.global.js', join(ROOT, 'packages/broadcast/dist/index.global.js')],
  ['/pkg/broadcast/index.global.js.map', join(ROOT, 'packages/broadcast/dist/index.global.js.map')],
  ['/pkg/broadcast/video.global.js', join(ROOT, 'packages/broadcast/dist/video.global.js')],
  ['/pkg/broadcast/video.global.js.map', join(ROOT, 'packages/broadcast/dist/video.global.js.map')],
  ['/lib/d3-hierarchy.mjs', D3_HIERARCHY]
])

/**
 * Starts the server on `host:port` (port 0: any free one).
 * @param {{ host?: string, port?: number, treeServer?: object }} opts `treeServer`: PeerTreeServer options
 */
export async function startDemoServer ({ host = '127.0.0.1', port = 0, treeServer: treeOpts } = {}) {
  const http = createServer((req, res) => { serve(req, res).catch(() => { res.statusCode = 500; res.end() }) })
  const io = new Server(http)
  const treeServer = new PeerTreeServer(io, treeOpts)
  const board = startBoard(io, treeServer)
  await new Promise((resolve, reject) => {
    http.once('error', reject)
    http.listen(port, host, resolve)
  })
  const url = `http://${host}:${http.address().port}`
  return {
    url,
    io,
    http,
    treeServer,
    board,
    /** The page that joins feed `key`, and its tree view. */
    pages: (key) => ({ feed: `${url}/?key=${key}`, tree: `${url}/tree.html?key=${key}`, video: `${url}/video.html?key=${key}` }),
    close: async () => {
      board.close()
      treeServer.close()
      await new Promise((resolve) => io.close(() => resolve()))
    }
  }
}

async function serve (req, res) {
  // socket.io answers its own paths on the same server.
  if (req.url === undefined || req.url.startsWith('/socket.io/')) return
  const path = new URL(req.url, 'http://x').pathname
  // Every page asks for one; a 404 would read as an error in the page's console.
  if (path === '/favicon.ico') return send(res, 204, 'image/x-icon', '')
  const file = FILES.get(path)
  const body = file === undefined ? null : await readFile(file).catch(() => null)
  if (body === null) return send(res, 404, 'text/plain', 'not found')
  send(res, 200, TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream', body)
}

function send (res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
  res.end(body)
}
