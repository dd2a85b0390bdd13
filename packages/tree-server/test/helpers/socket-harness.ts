/**
 * A real socket.io server on 127.0.0.1:0 with a PeerTreeServer, and raw socket.io-client
 * sockets that record everything they receive. Every factory registers its own cleanup
 * with `onTestFinished`, so a test only starts things.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server } from 'socket.io'
import { io as connectSocket } from 'socket.io-client'
import type { Socket as ClientSocket } from 'socket.io-client'
import { onTestFinished } from 'vitest'
import { PeerTreeServer } from '../../src/index.js'
import type { PeerTreeServerOptions, TreeSnapshot } from '../../src/index.js'
import type { DiscoverMessage, ErrorMessage, ServerToClientEvents } from '../../src/protocol.js'

export interface TestServer {
  url: string
  io: Server
  tree: PeerTreeServer
}

/**
 * Start a server. Rate limits are off unless a test sets them, because the harness's own
 * round trips (`sync`) are requests too.
 */
export async function startServer (opts: PeerTreeServerOptions = {}): Promise<TestServer> {
  const http = createServer()
  const io = new Server(http)
  const tree = new PeerTreeServer(io, { requestsPerSecond: Infinity, signalsPerSecond: Infinity, ...opts })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  onTestFinished(async () => {
    tree.close()
    await new Promise<void>((resolve) => { io.close(() => resolve()) })
  })
  const { port } = http.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, io, tree }
}

type EventName = keyof ServerToClientEvents
type PayloadOf<E extends EventName> = Parameters<ServerToClientEvents[E]>[0]

interface Received {
  event: string
  payload: unknown
  taken: boolean
}

interface Waiter {
  event: string
  match: (payload: unknown) => boolean
  resolve: (payload: unknown) => void
}

/** A raw client socket with an inbox: `next` takes messages in arrival order. */
export class TestClient {
  readonly socket: ClientSocket
  readonly name: string
  readonly inbox: Received[] = []
  #waiters: Waiter[] = []

  private constructor (socket: ClientSocket, name: string) {
    this.socket = socket
    this.name = name
    socket.onAny((event: string, payload: unknown) => {
      const r: Received = { event, payload, taken: false }
      this.inbox.push(r)
      const i = this.#waiters.findIndex((w) => w.event === event && w.match(payload))
      if (i !== -1) {
        const [w] = this.#waiters.splice(i, 1)
        r.taken = true
        w?.resolve(payload)
      }
    })
  }

  static async connect (server: TestServer, name = 'client'): Promise<TestClient> {
    const socket = connectSocket(server.url, { transports: ['websocket'], forceNew: true, reconnection: false })
    onTestFinished(() => { socket.disconnect() })
    const client = new TestClient(socket, name)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no connection after 5000 ms`)), 5000)
      socket.once('connect', () => { clearTimeout(timer); resolve() })
    })
    return client
  }

  emit (event: string, ...args: unknown[]): void {
    this.socket.emit(event, ...args)
  }

  /**
   * The next `event` (passing `match`) not taken yet, waiting for it if needed. Rejects
   * after `ms` with what did arrive: a bound on a hang, not a way to wait for time.
   */
  next<E extends EventName>(event: E, match: (payload: PayloadOf<E>) => boolean = () => true, ms = 5000): Promise<PayloadOf<E>> {
    const m = match as (p: unknown) => boolean
    const found = this.inbox.find((r) => !r.taken && r.event === event && m(r.payload))
    if (found !== undefined) {
      found.taken = true
      return Promise.resolve(found.payload as PayloadOf<E>)
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        event,
        match: m,
        resolve: (p) => { clearTimeout(timer); resolve(p as PayloadOf<E>) }
      }
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter)
        const seen = this.inbox.map((r) => `${r.event}${r.taken ? '' : '*'}`).join(', ')
        reject(new Error(`${this.name}: no '${event}' after ${ms} ms; received (* = untaken): ${seen === '' ? 'nothing' : seen}`))
      }, ms)
      this.#waiters.push(waiter)
    })
  }

  /** The next `tree:error`, for client event `event` if given. */
  nextError (event?: string): Promise<ErrorMessage> {
    return this.next('tree:error', (e) => event === undefined || e.event === event)
  }

  /** Untaken messages of `event`. */
  unread<E extends EventName>(event: E): Array<PayloadOf<E>> {
    return this.inbox.filter((r) => !r.taken && r.event === event).map((r) => r.payload as PayloadOf<E>)
  }

  /**
   * A round trip through the server: once it resolves, everything the server sent this
   * socket before handling it is in the inbox (the server handles a socket's events in
   * order, and socket.io keeps one socket's messages in order).
   */
  async sync (): Promise<void> {
    this.emit('tree:challenge')
    await this.next('tree:challenge')
  }

  close (): void {
    this.socket.disconnect()
  }
}

/**
 * Resolve once `check` holds, re-checking after each round trip of `via` through the
 * server (which paces the loop by the server's own progress, not by a clock). Rejects
 * after `rounds` round trips, saying what was awaited.
 */
export async function until (check: () => boolean | Promise<boolean>, what: string, via: TestClient, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await check()) return
    await via.sync()
  }
  throw new Error(`still not true after ${rounds} round trips: ${what}`)
}

export interface Member {
  client: TestClient
  discover: DiscoverMessage
}

/** A source that created a tree. */
export async function createTree (server: TestServer, extra: Record<string, unknown> = {}, name = 'source'): Promise<Member> {
  const client = await TestClient.connect(server, name)
  const ref = `ref-${name}`
  client.emit('tree:create', { ref, ...extra })
  const discover = await client.next('tree:discover', (d) => d.ref === ref)
  return { client, discover }
}

/** A member that joined `treeID`. */
export async function joinTree (server: TestServer, treeID: string, name: string, role?: 'relay' | 'leaf'): Promise<Member> {
  const client = await TestClient.connect(server, name)
  client.emit('tree:join', role === undefined ? { treeID } : { treeID, role })
  const discover = await client.next('tree:discover', (d) => d.treeID === treeID)
  return { client, discover }
}

/** A source and `n` members, joined one after another (placement is in join order). */
export async function buildTree (server: TestServer, n: number, extra: Record<string, unknown> = {}): Promise<{ treeID: string, source: Member, members: Member[] }> {
  const source = await createTree(server, extra)
  const treeID = source.discover.treeID
  const members: Member[] = []
  for (let i = 0; i < n; i++) members.push(await joinTree(server, treeID, `m${i}`))
  return { treeID, source, members }
}

/** The peer `id` in a snapshot, or a thrown error naming it. */
export function peer (snap: TreeSnapshot | undefined, id: string): TreeSnapshot['peers'][number] {
  const p = snap?.peers.find((x) => x.peerID === id)
  if (p === undefined) throw new Error(`no peer ${id} in the snapshot`)
  return p
}

/** `members[i]`, or a thrown error naming it. */
export function at (members: Member[], i: number): Member {
  const m = members[i]
  if (m === undefined) throw new Error(`no member ${i}`)
  return m
}
