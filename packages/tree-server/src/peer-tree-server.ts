/**
 * PeerTreeServer: wires socket.io events to the handlers and carries out what the pure
 * transitions decide (placements, repairs, which links get a deadline: transitions.ts). This
 * file owns per-socket plumbing (ordering, rate limits, error replies), the timers, the
 * per-link signal accounting and the public API.
 */
import { EventEmitter } from 'node:events'
import type { Server } from 'socket.io'
import { BURST_FACTOR, DEAD_AFTER_BEATS, STORE_RETRY_MS } from './constants.js'
import { PeerTreeServerError, ServerErrorCodes } from './errors.js'
import { onChallenge } from './handlers/challenge.js'
import { onConnected } from './handlers/connected.js'
import type { Counters, Handler, HandlerContext } from './handlers/context.js'
import { onCreate } from './handlers/create.js'
import { onDisconnect } from './handlers/disconnect.js'
import { onFailed } from './handlers/failed.js'
import { onJoin } from './handlers/join.js'
import { onLeave } from './handlers/leave.js'
import { onLookup } from './handlers/lookup.js'
import { onReconnect } from './handlers/reconnect.js'
import { onResume } from './handlers/resume.js'
import { onSignal } from './handlers/signal.js'
import { Failover } from './failover.js'
import { mintProcessId, mintSessionId } from './ids.js'
import { timedPlacement, timedStore } from './observer.js'
import { resolveOptions } from './options.js'
import type { PeerTreeServerOptions, ResolvedOptions } from './options.js'
import type { ClientToServerEvents, ServerErrorCode, TreeId } from './protocol.js'
import { TokenBucket } from './rate-limit.js'
import { Registry, roomOf } from './registry.js'
import { SignalLedger } from './signal-ledger.js'
import type { Binding, ClientState, TypedServer, TypedSocket } from './registry.js'
import { snapshotOf } from './snapshot.js'
import type { TreeStore } from './store/store.js'
import type { TreeSnapshot } from './snapshot.js'
import { adoptTx, expireTx, linkExpiredTx, linksOpenedBy } from './transitions.js'
import type { Change, TxEnv } from './transitions.js'
import { createValidators, echoOf } from './validate.js'

/** Any socket.io Server: the application's may be typed with its own events, or not at all. */

export type AnyServer = Server<any, any, any, any>

/** Events of a PeerTreeServer. An `'error'` without a listener is dropped, never thrown. */
export interface PeerTreeServerEvents {
  /** The store failed (or a handler met an unexpected error); the request was refused. */
  error: [err: PeerTreeServerError]
  /** A tree was created on this process. */
  treeCreated: [treeID: TreeId]
  /** A tree ended because its source left. */
  treeEnded: [treeID: TreeId]
  /**
   * A committed change moved members of a tree (a join, a leave, a repair, a move, its
   * creation or end): a monitor calls `snapshot(treeID)` again. Link confirmations alone do
   * not fire it.
   */
  treeChanged: [treeID: TreeId]
  /**
   * With `opts.presence`: another process stopped beating (or shut down), and this one took
   * over `members` of the memberships it held (0 when every one had resumed elsewhere first).
   */
  adopted: [processID: string, members: number]
}

export interface ServerStats {
  /** Trees with a member on this process (every tree, with one process). */
  trees: number
  /** Memberships held by this process's sockets, parked ones included. */
  peers: number
  /** Connected sockets. */
  sockets: number
  /** Links whose signals this process is counting against the per-link limits. */
  signalLinks: number
  counters: Counters
  /** `tree:error` replies sent, by code. */
  errors: Record<ServerErrorCode, number>
}

const HANDLERS: Record<keyof ClientToServerEvents, Handler> = {
  'tree:challenge': onChallenge,
  'tree:create': onCreate,
  'tree:join': onJoin,
  'tree:reconnect': onReconnect,
  'tree:leave': onLeave,
  'tree:resume': onResume,
  'tree:lookup': onLookup,
  'peer:signal': onSignal,
  'peer:connected': onConnected,
  'peer:failed': onFailed
}

/** A socket seen through plain strings, for attaching handlers by event name. */
interface LooseSocket {
  on: (event: string, fn: (...args: unknown[]) => void) => unknown
  off: (event: string, fn: (...args: unknown[]) => void) => unknown
}

function looksLikeIo (io: unknown): io is TypedServer {
  if (typeof io !== 'object' || io === null) return false
  const o = io as Record<string, unknown>
  return typeof o['on'] === 'function' && typeof o['off'] === 'function' &&
    typeof o['to'] === 'function' && typeof o['in'] === 'function'
}

class PeerTreeServerImpl extends EventEmitter<PeerTreeServerEvents> {
  readonly #io: TypedServer
  readonly #opts: ResolvedOptions
  /** The store, each call timed when `opts.metrics` asks for it. */
  readonly #store: TreeStore
  readonly #registry: Registry
  readonly #counters: Counters = {
    creates: 0, joins: 0, leaves: 0, repairs: 0, reconnects: 0, failedLinks: 0, resumes: 0, signalsRelayed: 0, signalsDropped: 0, reportedLinks: 0, adopted: 0
  }

  readonly #errors = Object.fromEntries(Object.values(ServerErrorCodes).map((c) => [c, 0])) as Record<ServerErrorCode, number>
  readonly #ctx: HandlerContext
  readonly #signals: SignalLedger
  readonly #onConnection = (socket: TypedSocket): void => { this.#attach(socket) }
  #closed = false
  /** Confirmation deadlines of new links. */
  #linkTimers = new Set<ReturnType<typeof setTimeout>>()
  /** The heartbeat loop, with `opts.presence`. */
  readonly #failover: Failover | null

  /**
   * Serve peer trees on a socket.io server. One server handles any number of trees.
   * Callable with or without `new`.
   *
   * @example
   * const io = new Server(httpServer)
   * const treeServer = new PeerTreeServer(io, { k: 2, k1: 10 })
   */
  constructor (io: AnyServer, opts?: PeerTreeServerOptions) {
    super()
    if (!looksLikeIo(io)) throw new TypeError('io must be a socket.io Server')
    this.#io = io
    this.#opts = resolveOptions(opts)
    this.#registry = new Registry(io)
    this.#signals = new SignalLedger(this.#opts)
    this.#store = timedStore(this.#opts.store, this.#opts.metrics)
    const store = this.#store
    const metrics = this.#opts.metrics
    const env: TxEnv = { mintSession: mintSessionId, holder: this.#opts.processID }
    this.#ctx = {
      io,
      opts: this.#opts,
      validators: createValidators(this.#opts),
      registry: this.#registry,
      counters: this.#counters,
      signals: this.#signals,
      env,
      get: async (treeID) => {
        try { return await store.get(treeID) } catch (cause) { throw PeerTreeServerError.STORE_UNAVAILABLE({ treeID, cause }) }
      },
      read: async (treeID, fn) => {
        try { return await store.read(treeID, fn) } catch (cause) { throw PeerTreeServerError.STORE_UNAVAILABLE({ treeID, cause }) }
      },
      transact: async (treeID, fn) => {
        try { return await store.transact(treeID, fn) } catch (cause) { throw PeerTreeServerError.STORE_UNAVAILABLE({ treeID, cause }) }
      },
      storeSize: async () => {
        try { return await store.size() } catch (cause) { throw PeerTreeServerError.STORE_UNAVAILABLE({ cause }) }
      },
      placing: (fn) => timedPlacement(fn, metrics),
      apply: (treeID, change) => { this.#apply(treeID, change) },
      park: (b, delayMs) => { this.#park(b, delayMs) }
    }
    const presence = this.#opts.presence
    this.#failover = presence === null
      ? null
      : new Failover({
        presence,
        processID: this.#opts.processID,
        heartbeatMs: this.#opts.heartbeatMs,
        deadAfterMs: DEAD_AFTER_BEATS * this.#opts.heartbeatMs,
        now: this.#opts.now,
        adopt: async (processID) => await this.#adopt(processID),
        fenced: () => this.#fenced(),
        report: (cause) => { this.#report(PeerTreeServerError.STORE_UNAVAILABLE({ cause })) }
      })
    this.#failover?.start()
    io.on('connection', this.#onConnection)
    // Sockets that connected before this server was made are served too.
    for (const socket of io.sockets?.sockets?.values() ?? []) this.#attach(socket)
  }

  /**
   * Stop serving: detach every listener from `io` and its sockets and clear all timers.
   * Sockets, `io` and the store are left open (they belong to the caller). Idempotent.
   */
  close (): void {
    if (this.#closed) return
    this.#closed = true
    void this.#failover?.stop(false)
    this.#io.off('connection', this.#onConnection)
    for (const client of this.#registry.clients.values()) {
      const socket = client.socket as unknown as LooseSocket
      for (const [event, fn] of client.listeners) socket.off(event, fn)
      client.listeners = []
    }
    for (const b of this.#registry.bindings()) {
      if (b.timer !== null) { clearTimeout(b.timer); b.timer = null }
    }
    for (const t of this.#linkTimers) clearTimeout(t)
    this.#linkTimers.clear()
  }

  /**
   * close(), and with `opts.presence` list this process as shut down, so that the other
   * processes adopt the memberships it still holds (parked, waiting for a resume) at once
   * instead of after the dead time. Resolves once that is written (or failed: reported as
   * `'error'`). The command's drain calls it.
   */
  async shutdown (): Promise<void> {
    const failover = this.#failover
    this.close()
    await failover?.stop(true)
  }

  /** This process's name among the processes sharing the store (members' `holder`). */
  get processID (): string { return this.#ctx.env.holder ?? this.#opts.processID }

  /** Counts as seen by this process. */
  stats (): ServerStats {
    return {
      trees: this.#registry.treeCount,
      peers: this.#registry.peerCount,
      sockets: this.#registry.clients.size,
      signalLinks: this.#signals.size,
      counters: { ...this.#counters },
      errors: { ...this.#errors }
    }
  }

  /**
   * A plain description of one tree (from the store), or undefined if there is no such tree.
   *
   * @example
   * const snap = await treeServer.snapshot(treeID)
   * for (const peer of snap?.peers ?? []) console.log(peer.peerID, peer.depth)
   */
  async snapshot (treeID: TreeId): Promise<TreeSnapshot | undefined> {
    if (typeof treeID !== 'string') throw new TypeError('treeID must be a string')
    const state = await this.#store.get(treeID)
    return state === undefined ? undefined : snapshotOf(state)
  }

  #attach (socket: TypedSocket): void {
    if (this.#registry.clients.has(socket.id)) return
    const { signalsPerSecond, requestsPerSecond, now } = this.#opts
    const client: ClientState = {
      socket,
      memberships: new Map(),
      queue: Promise.resolve(),
      signals: new TokenBucket(signalsPerSecond, Math.max(1, signalsPerSecond * BURST_FACTOR), now),
      requests: new TokenBucket(requestsPerSecond, Math.max(1, requestsPerSecond * BURST_FACTOR), now),
      challenges: [],
      listeners: []
    }
    this.#registry.clients.set(socket.id, client)
    const loose = socket as unknown as LooseSocket
    for (const [event, handler] of Object.entries(HANDLERS)) {
      const fn = (payload: unknown): void => { this.#receive(client, event, handler, payload) }
      loose.on(event, fn)
      client.listeners.push([event, fn])
    }
    const onGone = (): void => {
      this.#registry.clients.delete(socket.id)
      this.#enqueue(client, 'disconnect', undefined, async () => {
        for (const err of await onDisconnect(this.#ctx, client)) this.#report(toServerError(err, 'disconnect'))
      })
    }
    loose.on('disconnect', onGone)
    client.listeners.push(['disconnect', onGone])
  }

  #receive (client: ClientState, event: string, handler: Handler, payload: unknown): void {
    if (this.#closed) return
    // Checked on arrival, not in the queue, so a flood costs no more than a refusal each.
    const bucket = event.startsWith('peer:') ? client.signals : client.requests
    if (!bucket.take()) {
      this.#replyError(client, event, payload, PeerTreeServerError.RATE_LIMITED())
      return
    }
    this.#enqueue(client, event, payload, async () => { await handler(this.#ctx, client, payload) })
  }

  /** Run `task` after the socket's earlier events; a failure becomes a `tree:error` reply. */
  #enqueue (client: ClientState, event: string, payload: unknown, task: () => Promise<void>): void {
    client.queue = client.queue.then(async () => {
      if (this.#closed) return
      try {
        await task()
      } catch (err) {
        const e = toServerError(err, event)
        if (e.code === 'STORE_UNAVAILABLE') this.#report(e)
        if (event !== 'disconnect') this.#replyError(client, event, payload, e)
      }
    })
  }

  #replyError (client: ClientState, event: string, payload: unknown, err: PeerTreeServerError): void {
    const e = err.withContext({ event, ...echoOf(payload) })
    this.#errors[e.code] += 1
    client.socket.emit('tree:error', e.toWire())
  }

  /** Send a committed change, then forget members that left. */
  #apply (treeID: TreeId, change: Change): void {
    for (const o of change.out) {
      if (o.event === 'tree:discover') this.#signals.placed(o.to, o.payload.session)
      if (o.event === 'peer:unlink') this.#signals.unlinked(o.payload.session)
      // `o` is a correlated (event, payload) pair, which TypeScript cannot follow through
      // the typed emit; the pair itself was typed when it was built (transitions.ts).
      const room = this.#io.to(roomOf(o.to)) as unknown as { emit: (event: string, payload: unknown) => boolean }
      room.emit(o.event, o.payload)
    }
    for (const link of linksOpenedBy(change.out)) this.#watchLink(treeID, link.child, link.session)
    for (const peerID of change.removed) {
      this.#registry.unbind(peerID)
      this.#signals.removed(peerID)
    }
    this.#counters.repairs += change.repairs
    if (change.created) this.#emitSafe('treeCreated', treeID)
    if (change.ended) {
      this.#registry.dropTree(treeID)
      this.#emitSafe('treeEnded', treeID)
    }
    if (change.out.length > 0 || change.removed.length > 0 || change.created || change.ended) this.#emitSafe('treeChanged', treeID)
  }

  /** Gives both ends of a new link `linkTimeoutMs` to confirm it: a slot is never held by a link nobody saw work. */
  #watchLink (treeID: TreeId, child: string, session: string): void {
    if (this.#closed) return
    const timer = setTimeout(() => {
      this.#linkTimers.delete(timer)
      void this.#checkLink(treeID, child, session)
    }, this.#opts.linkTimeoutMs)
    timer.unref?.()
    this.#linkTimers.add(timer)
  }

  async #checkLink (treeID: TreeId, child: string, session: string): Promise<void> {
    if (this.#closed) return
    try {
      const out = await this.#store.transact(treeID, (s) => linkExpiredTx(s, { child, session }, this.#ctx.env))
      if (out.change.out.length > 0) this.#counters.failedLinks += 1
      this.#apply(treeID, out.change)
    } catch (cause) {
      this.#report(PeerTreeServerError.STORE_UNAVAILABLE({ treeID, cause }))
    }
  }

  #park (b: Binding, delayMs: number): void {
    this.#registry.park(b)
    if (b.timer !== null) clearTimeout(b.timer)
    if (this.#closed) { b.timer = null; return }
    b.timer = setTimeout(() => {
      b.timer = null
      void this.#expire(b)
    }, delayMs)
    // A parked membership alone must not keep the process alive.
    b.timer.unref?.()
  }

  /** The parked membership's time is up: remove it, unless a resume got there first. */
  async #expire (b: Binding): Promise<void> {
    if (this.#closed) return
    try {
      const out = await this.#store.transact(b.treeID, (s) => expireTx(s, b, this.#ctx.env))
      // A resume on this process replaces the binding; only drop it if it is still this one.
      if (this.#registry.binding(b.peerID) === b) this.#registry.unbind(b.peerID)
      if (out.change.removed.length > 0) this.#counters.leaves += 1
      this.#apply(b.treeID, out.change)
    } catch (cause) {
      this.#report(PeerTreeServerError.STORE_UNAVAILABLE({ treeID: b.treeID, cause }))
      if (this.#registry.binding(b.peerID) === b) this.#park(b, STORE_RETRY_MS)
    }
  }

  /**
   * `processID` died (or shut down) holding members: take each over as if its socket had
   * just gone here, so it waits the grace period for its client to resume on any process.
   * Resolves true when every member was handled, false when the store failed on one (the
   * heartbeat loop asks again).
   */
  async #adopt (processID: string): Promise<boolean> {
    if (this.#closed) return false
    let held
    try { held = await this.#store.heldBy(processID) } catch (cause) {
      this.#report(PeerTreeServerError.STORE_UNAVAILABLE({ cause }))
      return false
    }
    let done = true
    let adopted = 0
    for (const { treeID, peerID } of held) {
      if (this.#closed) return false
      try {
        const out = await this.#store.transact(treeID, (s) => adoptTx(s, { peerID, from: processID }, this.#ctx.env))
        if (out.adopted === undefined) continue
        this.#counters.adopted += 1
        adopted += 1
        this.#park(this.#registry.hold({ treeID, peerID, epoch: out.adopted.epoch, ref: null }), this.#opts.reconnectGraceMs)
      } catch (cause) {
        done = false
        this.#report(PeerTreeServerError.STORE_UNAVAILABLE({ treeID, cause }))
      }
    }
    if (done) this.#emitSafe('adopted', processID, adopted)
    return done
  }

  /**
   * The other processes fenced this one (it was paused, or cut off from the store, for
   * longer than the dead time) and adopt its members. Let go of them all, close every
   * socket's connection (each client reconnects by itself and resumes its place, here or
   * elsewhere), and go on under a new process ID: members bound from now on are not the
   * fenced process's, which the others are still adopting. Returns the new ID.
   */
  #fenced (): string {
    for (const b of [...this.#registry.bindings()]) this.#registry.unbind(b.peerID)
    for (const client of this.#registry.clients.values()) client.socket.conn.close()
    const holder = mintProcessId()
    this.#ctx.env.holder = holder
    return holder
  }

  #report (err: PeerTreeServerError): void {
    this.#emitSafe('error', err)
  }

  #emitSafe<K extends keyof PeerTreeServerEvents> (event: K, ...args: PeerTreeServerEvents[K]): void {
    // An 'error' nobody listens to must not crash the application (README.md's usage attaches none).
    if (event === 'error' && this.listenerCount('error') === 0) return
    try {
      EventEmitter.prototype.emit.call(this, event, ...args)
    } catch {
      // A listener threw. It is the application's bug, but the server keeps serving.
    }
  }
}

function toServerError (err: unknown, event: string): PeerTreeServerError {
  if (err instanceof PeerTreeServerError) return err
  return PeerTreeServerError.STORE_UNAVAILABLE({ event, cause: err })
}

export interface PeerTreeServerConstructor {
  new (io: AnyServer, opts?: PeerTreeServerOptions): PeerTreeServerImpl
  (io: AnyServer, opts?: PeerTreeServerOptions): PeerTreeServerImpl
  readonly prototype: PeerTreeServerImpl
}

/** The server instance type. */
export type PeerTreeServer = PeerTreeServerImpl

/**
 * The PeerTreeServer constructor. Like the original, it also works without `new`:
 * the Proxy's `apply` trap constructs.
 */
export const PeerTreeServer: PeerTreeServerConstructor = new Proxy(PeerTreeServerImpl, {
  apply (Target, _this, args: [AnyServer, PeerTreeServerOptions?]) {
    return new Target(...args)
  }
}) as unknown as PeerTreeServerConstructor
