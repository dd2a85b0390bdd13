/**
 * One HTTP server on 127.0.0.1 (an ephemeral port) that is everything a page needs: a
 * PeerTreeServer on socket.io (which also serves `/socket.io/socket.io.js`), the packages'
 * built files under `/pkg/<package>/`, and any folders a test adds. A page served from
 * http://127.0.0.1 is a secure context, so WebCrypto and WebCodecs are there.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http'
import { readFile, stat } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Server } from 'socket.io'
import { PeerTreeServer, type PeerTreeServerOptions } from 'peer-tree-server'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** The built packages, as pages load them. */
export const PACKAGE_DIRS: Record<string, string> = {
  client: join(ROOT, 'packages/tree-client/dist'),
  broadcast: join(ROOT, 'packages/broadcast/dist')
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.css': 'text/css; charset=utf-8'
}

export interface PageServer {
  /** http://127.0.0.1:<port> */
  url: string
  io: Server
  treeServer: PeerTreeServer
  http: HttpServer
  /** Serves `dir` under `/<name>/`. */
  mount: (name: string, dir: string) => void
  /** Serves `html` at `/<name>`. */
  page: (name: string, html: string) => void
  close: () => Promise<void>
}

export async function startPageServer (opts: PeerTreeServerOptions = {}): Promise<PageServer> {
  const mounts = new Map<string, string>(Object.entries(PACKAGE_DIRS).map(([k, v]) => [`pkg/${k}`, v]))
  const pages = new Map<string, string>([['blank.html', '<!doctype html><meta charset="utf-8"><title>blank</title>']])
  const http = createServer((req, res) => { serve(req, res, mounts, pages).catch(() => { res.statusCode = 500; res.end() }) })
  const io = new Server(http)
  const treeServer = new PeerTreeServer(io, opts)
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    io,
    treeServer,
    http,
    mount: (name, dir) => { mounts.set(name, resolve(dir)) },
    page: (name, html) => { pages.set(name, html) },
    close: async () => {
      treeServer.close()
      await new Promise<void>((resolve) => { io.close(() => resolve()) })
    }
  }
}

async function serve (req: IncomingMessage, res: ServerResponse, mounts: Map<string, string>, pages: Map<string, string>): Promise<void> {
  // socket.io answers its own paths on the same server.
  if (req.url === undefined || req.url.startsWith('/socket.io/')) return
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname).slice(1)
  // Every page asks for one; a 404 would read as an error in the page's console.
  if (path === 'favicon.ico') return send(res, 204, 'image/x-icon', '')
  const html = pages.get(path)
  if (html !== undefined) return send(res, 200, TYPES['.html'], html)
  for (const [name, dir] of mounts) {
    if (!path.startsWith(`${name}/`)) continue
    const file = normalize(join(dir, path.slice(name.length + 1)))
    if (!file.startsWith(dir + sep)) return send(res, 403, 'text/plain', 'forbidden')
    const info = await stat(file).catch(() => null)
    if (info === null || !info.isFile()) break
    return send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', await readFile(file))
  }
  send(res, 404, 'text/plain', 'not found')
}

function send (res: ServerResponse, status: number, type: string | undefined, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type ?? 'application/octet-stream', 'cache-control': 'no-store' })
  res.end(body)
}
