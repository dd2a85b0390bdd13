/**
 * What `peer-tree-server` runs: one HTTP server with socket.io on its default path, a
 * PeerTreeServer on it, its metrics, and the health endpoints, plus the drain that SIGTERM
 * starts. No argv, no signals and no printing here (index.ts does those), so tests can run it
 * in their own process with a store of their own.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { collectDefaultMetrics } from 'prom-client'
import { Server } from 'socket.io'
import { PeerTreeMetrics } from '../metrics/index.js'
import { PeerTreeServer } from '../peer-tree-server.js'
import { DRAINING_REFUSAL, type DrainingMessage } from '../protocol.js'
import { MemoryStore } from '../store/memory-store.js'
import type { ProcessPresence } from '../presence/presence.js'
import type { TreeStore } from '../store/store.js'
import { connectRedis } from './redis.js'
import type { CommandOptions } from './options.js'

/** `/readyz` gives up on the store after this, so the probe itself always answers within 1 s. */
export const READY_TIMEOUT_MS = 900
/** The drain's bound: the command exits within 5 s of SIGTERM even if a socket never closes. */
export const DRAIN_TIMEOUT_MS = 4_000

export interface CommandServer {
  /** http://HOST:PORT */
  url: string
  http: HttpServer
  io: Server
  treeServer: PeerTreeServer
  metrics: PeerTreeMetrics
  /**
   * Stop taking sockets, send every socket `server:draining`, close their connections (so
   * their socket.io clients reconnect on their own and resume), wait for them to go (at most
   * DRAIN_TIMEOUT_MS), then close everything. Idempotent. Resolves to the sockets drained.
   */
  drain: () => Promise<number>
}

export interface CommandDeps {
  /** Where trees live. @default a RedisStore with `options.redis`, else a MemoryStore */
  store?: TreeStore
  /** Heartbeats of the processes sharing `store`. @default RedisPresence with `options.redis`, else none */
  presence?: ProcessPresence
}

/** Resolves true when `promise` fulfils within `ms`, false when it rejects or takes longer. */
async function within (promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms) })
  try {
    return await Promise.race([promise.then(() => true, () => false), late])
  } finally {
    clearTimeout(timer)
  }
}

function send (res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' })
  res.end(body)
}

function urlOf (host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

export async function startCommandServer (options: CommandOptions, deps: CommandDeps = {}): Promise<CommandServer> {
  const redis = options.redis == null || deps.store !== undefined ? null : await connectRedis(options.redis)
  const store = deps.store ?? redis?.store ?? new MemoryStore()
  const presence = deps.presence ?? redis?.presence
  const metrics = new PeerTreeMetrics()
  collectDefaultMetrics({ register: metrics.registry, prefix: 'peer_tree_' })
  let draining = false

  // One size() at a time: a store that hangs costs one pending call, not one per probe.
  let sizing: Promise<unknown> | null = null
  const storeAnswers = async (): Promise<boolean> => {
    if (sizing === null) {
      const call = Promise.resolve().then(async () => await store.size())
      const done = (): void => { if (sizing === call) sizing = null }
      call.then(done, done)
      sizing = call
    }
    return await within(sizing, READY_TIMEOUT_MS)
  }

  const routes: Record<string, (res: ServerResponse) => Promise<void>> = {
    '/healthz': async (res) => { send(res, 200, 'text/plain; charset=utf-8', 'ok\n') },
    '/readyz': async (res) => {
      const ready = !draining && await storeAnswers()
      send(res, ready ? 200 : 503, 'text/plain; charset=utf-8', ready ? 'ready\n' : draining ? 'draining\n' : 'store unavailable\n')
    },
    '/metrics': async (res) => { send(res, 200, metrics.contentType, await metrics.text()) }
  }
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const route = routes[(req.url ?? '/').split('?')[0] ?? '/']
    if (route === undefined) { send(res, 404, 'text/plain; charset=utf-8', 'not found\n'); return }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n')
      return
    }
    route(res).catch(() => { if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'error\n') })
  }

  const http = createServer(onRequest)
  // socket.io answers its own path (/socket.io/) and hands every other request to onRequest.
  const io = new Server(http, redis === null ? {} : { adapter: redis.adapter })
  io.use((_socket, next) => { next(draining ? new Error(DRAINING_REFUSAL) : undefined) })
  const treeServer = new PeerTreeServer(io, { ...options.server, store, metrics, ...(presence === undefined ? {} : { presence }) })
  metrics.track(treeServer)

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject)
      http.listen(options.port, options.host, () => { http.off('error', reject); resolve() })
    })
  } catch (err) {
    treeServer.close()
    io.close()
    await redis?.close()
    throw err
  }
  const { port } = http.address() as AddressInfo

  let drained: Promise<number> | null = null
  const drain = async (): Promise<number> => {
    draining = true
    drained ??= (async () => {
      http.close()
      const sockets = [...io.of('/').sockets.values()]
      const gone = sockets.map(async (socket) => {
        if (socket.disconnected) return
        await new Promise<void>((resolve) => socket.once('disconnect', () => resolve()))
      })
      const notice: DrainingMessage = { reason: 'shutdown' }
      for (const socket of sockets) {
        socket.emit('server:draining', notice)
        // Closing the connection, not the socket.io socket: the client sees a transport
        // close and reconnects by itself (a server-side disconnect() would stop it).
        socket.conn.close()
      }
      await within(Promise.all(gone), DRAIN_TIMEOUT_MS)
      // The tree server's disconnect handlers (parking each membership) run in the socket's
      // queue, after the 'disconnect' event: let them finish before it closes.
      await new Promise((resolve) => setImmediate(resolve))
      // With other processes on the store: they adopt what this one still holds (members
      // whose clients have not resumed elsewhere yet) at once.
      await treeServer.shutdown()
      await new Promise<void>((resolve) => { io.close(() => resolve()) })
      http.closeAllConnections()
      await redis?.close()
      return sockets.length
    })()
    return await drained
  }

  return { url: urlOf(options.host, port), http, io, treeServer, metrics, drain }
}
