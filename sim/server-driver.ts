/**
 * The signalling server of the simulation: the real tree transitions (transitions.ts, and
 * through them placement, relay-first placement and repair) on the real in-memory store,
 * carried out the way PeerTreeServer and its handlers carry them out: a join mints the
 * member, binds it to its socket and sends the change's messages; each new link gets its
 * confirmation deadline; a socket gone leaves every tree it was in (no grace period); a
 * refusal is answered with `tree:error`. No socket.io: requests and messages travel on the
 * event loop with the network model's signalling delay.
 *
 * What differs, and why: IDs are counters (deterministic runs), owner proofs are not checked
 * (the source's creates are trusted), rate limits are off (no peer here floods), and a
 * lookup counts relays incrementally (relay members whose own link both ends confirmed)
 * instead of walking every tree breadth-first for every lookup, which at 100,000 members
 * would cost more than the rest of the run.
 */
import { MemoryStore } from '../packages/tree-server/src/store/memory-store.js'
import {
  confirmTx, createTx, joinTx, leaveTx, linkExpiredTx, linkFailedTx, linksOpenedBy, reconnectTx,
  type Change, type Outgoing, type TxEnv, type TxOutput
} from '../packages/tree-server/src/transitions.js'
import { getMember, type TreeState } from '../packages/tree-server/src/tree-state.js'
import { linkWorks } from '../packages/tree-server/src/link-state.js'
import type { TxFn } from '../packages/tree-server/src/store/store.js'
import type { ClientToServerEvents, PeerId, ServerErrorCode, ServerToClientEvents, TreeId } from '../packages/tree-server/src/protocol.js'
import type { EventLoop } from './event-loop.js'
import type { Endpoint, NetworkModel } from './network-model.js'

/** One signalling socket, as the server sees it. */
export interface SignalClient {
  readonly name: string
  readonly endpoint: Endpoint
  /** A server message arrived at the client. */
  deliver: <E extends keyof ServerToClientEvents>(event: E, payload: Parameters<ServerToClientEvents[E]>[0]) => void
}

type Request = { [E in keyof ClientToServerEvents]: { event: E, payload: Parameters<ClientToServerEvents[E]>[0] } }[keyof ClientToServerEvents]

interface Bound {
  client: SignalClient
  memberships: Map<TreeId, { peerID: PeerId, epoch: number }>
  /** Tree IDs for this socket's creates, by ref (the simulation's source names them). */
  creates: Map<string, TreeId>
  gone: boolean
}

export interface ServerOptions {
  linkTimeoutMs: number
  maxPeersPerTree: number
}

export interface ServerCounters {
  joins: number
  leaves: number
  repairs: number
  reconnects: number
  failedLinks: number
  reportedLinks: number
  expiredLinks: number
  refusals: Partial<Record<ServerErrorCode, number>>
  messages: number
}

export class SimServer {
  readonly store = new MemoryStore()
  readonly counters: ServerCounters = { joins: 0, leaves: 0, repairs: 0, reconnects: 0, failedLinks: 0, reportedLinks: 0, expiredLinks: 0, refusals: {}, messages: 0 }
  readonly #loop: EventLoop
  readonly #net: NetworkModel
  readonly #opts: ServerOptions
  readonly #clients = new Map<string, Bound>()
  /** Which socket holds each member. */
  readonly #byPeer = new Map<PeerId, Bound>()
  /** Relay members whose own link works, per tree (what a lookup reports). */
  readonly #relays = new Map<TreeId, Set<PeerId>>()
  /** The live tree states (the memory store hands out its own objects; read only here). */
  readonly trees = new Map<TreeId, TreeState>()
  #sessions = 0
  readonly #env: TxEnv

  constructor (loop: EventLoop, net: NetworkModel, opts: ServerOptions) {
    this.#loop = loop
    this.#net = net
    this.#opts = opts
    this.#env = { mintSession: () => `s${++this.#sessions}` }
  }

  connect (client: SignalClient): void {
    this.#clients.set(client.name, { client, memberships: new Map(), creates: new Map(), gone: false })
  }

  /** The next `tree:create` with `ref` from this socket creates `treeID` (the source's trees). */
  expectCreate (client: SignalClient, ref: string, treeID: TreeId): void {
    this.#clients.get(client.name)?.creates.set(ref, treeID)
  }

  /** The client sends a request now; it reaches the server after the signalling delay. */
  send (client: SignalClient, req: Request): void {
    const b = this.#clients.get(client.name)
    if (b === undefined) return
    this.#loop.after(this.#net.toServer(client.endpoint), () => { if (!b.gone) this.#handle(b, req) })
  }

  /** The socket is gone (after `delayMs`): every membership it held leaves its tree. */
  disconnect (client: SignalClient, delayMs: number): void {
    const b = this.#clients.get(client.name)
    if (b === undefined) return
    this.#loop.after(delayMs, () => {
      if (b.gone) return
      b.gone = true
      this.#clients.delete(client.name)
      for (const [treeID, m] of [...b.memberships]) {
        this.#transact(treeID, (s) => leaveTx(s, m, this.#env), (out) => {
          if (out.error === undefined) this.counters.leaves++
          this.#unbind(b, treeID)
          this.#apply(treeID, out.change)
        })
      }
    })
  }

  /** The network place of the socket that holds member `peerID`, if it is still connected. */
  endpointOf (peerID: PeerId): Endpoint | undefined {
    const b = this.#byPeer.get(peerID)
    return b === undefined || b.gone ? undefined : b.client.endpoint
  }

  /** Relay members with a working link, per tree of `key` (what `tree:lookup` answers). */
  relayCounts (key: string): number[] {
    const counts: number[] = []
    while (this.trees.has(`${key}.${counts.length}`)) counts.push(this.#relays.get(`${key}.${counts.length}`)?.size ?? 0)
    return counts
  }

  #handle (b: Bound, req: Request): void {
    switch (req.event) {
      case 'tree:create': {
        const treeID = b.creates.get(req.payload.ref)
        if (treeID === undefined) return this.#refuse(b, 'tree:create', 'NOT_OWNER', req.payload)
        const peerID = `${b.client.name}@${treeIndex(treeID)}`
        const params = { treeID, k: req.payload.k ?? 3, k1: req.payload.k1 ?? 4, owner: null, source: peerID, token: `${peerID}.t`, ref: req.payload.ref, holder: null }
        return this.#transact(treeID, (s) => createTx(s, params), (out) => {
          if (out.error !== undefined) return this.#refuse(b, 'tree:create', out.error.code, req.payload)
          this.#bind(b, treeID, peerID)
          this.#apply(treeID, out.change)
        })
      }
      case 'tree:join': {
        const { treeID } = req.payload
        if (b.memberships.has(treeID)) return this.#refuse(b, 'tree:join', 'ALREADY_IN_TREE', req.payload)
        const peerID = `${b.client.name}#${treeIndex(treeID)}`
        const params = { peerID, role: req.payload.role ?? 'relay', token: `${peerID}.t`, maxPeers: this.#opts.maxPeersPerTree } as const
        return this.#transact(treeID, (s) => joinTx(s, params, this.#env), (out) => {
          if (out.error === undefined) { this.#bind(b, treeID, peerID); this.counters.joins++ }
          this.#apply(treeID, out.change)
          if (out.error !== undefined) this.#refuse(b, 'tree:join', out.error.code, req.payload)
        })
      }
      case 'tree:reconnect': {
        const { treeID } = req.payload
        const m = this.#member(b, 'tree:reconnect', treeID, req.payload)
        if (m === undefined) return
        const params = { ...m, session: req.payload.session, failed: req.payload.failed === true }
        return this.#transact(treeID, (s) => reconnectTx(s, params, this.#env), (out) => {
          if (out.error !== undefined) return this.#refuse(b, 'tree:reconnect', out.error.code, req.payload, treeID)
          if (out.change.out.length > 0) {
            this.counters.reconnects++
            if (params.failed) this.counters.failedLinks++
          }
          this.#apply(treeID, out.change)
        })
      }
      case 'tree:leave': {
        const { treeID } = req.payload
        const m = this.#member(b, 'tree:leave', treeID, req.payload)
        if (m === undefined) return
        return this.#transact(treeID, (s) => leaveTx(s, m, this.#env), (out) => {
          if (out.error !== undefined) return this.#refuse(b, 'tree:leave', out.error.code, req.payload, treeID)
          this.counters.leaves++
          this.#apply(treeID, out.change)
        })
      }
      case 'peer:connected': {
        const { treeID, session } = req.payload
        const m = this.#member(b, 'peer:connected', treeID, req.payload)
        if (m === undefined) return
        return this.#transact(treeID, (s) => confirmTx(s, { ...m, session }), (out) => {
          if (out.error !== undefined) return this.#refuse(b, 'peer:connected', out.error.code, req.payload, treeID)
          this.#countRelay(treeID, session, m.peerID)
        })
      }
      case 'peer:failed': {
        const { treeID, session } = req.payload
        const m = this.#member(b, 'peer:failed', treeID, req.payload)
        if (m === undefined) return
        return this.#transact(treeID, (s) => linkFailedTx(s, { ...m, session }, this.#env), (out) => {
          if (out.error !== undefined) return this.#refuse(b, 'peer:failed', out.error.code, req.payload, treeID)
          this.counters.reportedLinks++
          this.#apply(treeID, out.change)
        })
      }
      case 'tree:lookup': {
        const relays = this.relayCounts(req.payload.key)
        return this.#reply(b, 'tree:lookup', { key: req.payload.key, trees: relays.length, relays })
      }
      default:
        // Resumes, signals and challenges: the simulated peers never send them.
        this.#refuse(b, req.event, 'INVALID_PAYLOAD', req.payload)
    }
  }

  /** Runs a transaction on the real store; `then` runs once it resolved, as the handlers do. */
  #transact (treeID: TreeId, fn: TxFn<TxOutput>, then: (out: TxOutput) => void): void {
    // The memory store runs the body at once, on its live state: keep a reference to it.
    const done = this.store.transact(treeID, (s) => {
      const r = fn(s)
      if (r.op === 'put') this.trees.set(treeID, r.state)
      else if (r.op === 'delete') this.trees.delete(treeID)
      return r
    })
    this.#loop.settleSoon()
    done.then(then, () => {})
  }

  #member (b: Bound, event: string, treeID: TreeId, payload: unknown): { peerID: PeerId, epoch: number } | undefined {
    const m = b.memberships.get(treeID)
    if (m === undefined) this.#refuse(b, event, 'NOT_IN_TREE', payload, treeID)
    return m
  }

  #bind (b: Bound, treeID: TreeId, peerID: PeerId): void {
    b.memberships.set(treeID, { peerID, epoch: 0 })
    this.#byPeer.set(peerID, b)
  }

  #unbind (b: Bound, treeID: TreeId): void {
    const m = b.memberships.get(treeID)
    if (m === undefined) return
    b.memberships.delete(treeID)
    if (this.#byPeer.get(m.peerID) === b) this.#byPeer.delete(m.peerID)
    this.#relays.get(treeID)?.delete(m.peerID)
  }

  /** Counts the child of link `session` as a working relay once both its ends confirmed it. */
  #countRelay (treeID: TreeId, session: string, reporter: PeerId): void {
    const state = this.trees.get(treeID)
    if (state === undefined) return
    const self = getMember(state, reporter)
    let child: PeerId | undefined = self?.session === session ? reporter : undefined
    if (child === undefined && self !== undefined) child = self.children.find((c) => getMember(state, c)?.session === session)
    const m = child === undefined ? undefined : getMember(state, child)
    if (child === undefined || m === undefined || m.role !== 'relay' || !linkWorks(m)) return
    let set = this.#relays.get(treeID)
    if (set === undefined) { set = new Set(); this.#relays.set(treeID, set) }
    set.add(child)
  }

  /** Sends a committed change's messages, sets the new links' deadlines, forgets who left. */
  #apply (treeID: TreeId, change: Change): void {
    const relays = this.#relays.get(treeID)
    for (const o of change.out) {
      // A member placed anew hangs on a link nobody confirmed yet.
      if (o.event === 'tree:discover' && o.payload.reason !== 'resume') relays?.delete(o.to)
      this.#route(o)
    }
    for (const link of linksOpenedBy(change.out)) {
      this.#loop.after(this.#opts.linkTimeoutMs, () => {
        this.#transact(treeID, (s) => linkExpiredTx(s, link, this.#env), (out) => {
          if (out.change.out.length > 0) this.counters.expiredLinks++
          this.#apply(treeID, out.change)
        })
      })
    }
    for (const peerID of change.removed) {
      relays?.delete(peerID)
      const b = this.#byPeer.get(peerID)
      if (b !== undefined) this.#unbind(b, treeID)
    }
    this.counters.repairs += change.repairs
    if (change.ended) this.#relays.delete(treeID)
  }

  #route (o: Outgoing): void {
    const b = this.#byPeer.get(o.to)
    if (b === undefined || b.gone) return
    this.#reply(b, o.event, o.payload as never)
  }

  #reply<E extends keyof ServerToClientEvents> (b: Bound, event: E, payload: Parameters<ServerToClientEvents[E]>[0]): void {
    this.counters.messages++
    this.#loop.after(this.#net.toServer(b.client.endpoint), () => { if (!b.gone) b.client.deliver(event, payload) })
  }

  #refuse (b: Bound, event: string, code: ServerErrorCode, payload: unknown, treeID?: TreeId): void {
    this.counters.refusals[code] = (this.counters.refusals[code] ?? 0) + 1
    const echo = payload as { treeID?: unknown, ref?: unknown }
    const tree = treeID ?? (typeof echo?.treeID === 'string' ? echo.treeID : undefined)
    const ref = typeof echo?.ref === 'string' ? echo.ref : undefined
    this.#reply(b, 'tree:error', { code, message: code, event, ...(tree !== undefined && { treeID: tree }), ...(ref !== undefined && { ref }) })
  }
}

/** The index of an owned tree `<key>.<index>`. */
function treeIndex (treeID: TreeId): string {
  return treeID.slice(treeID.lastIndexOf('.') + 1)
}
