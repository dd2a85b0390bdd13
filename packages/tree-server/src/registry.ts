/**
 * Which memberships this process's sockets hold. Tree state lives in the store; this is the
 * routing side only: a member's socket sits in the room `pt:<peerID>`, and every message for
 * the member is emitted to that room, so a socket.io adapter can route it across processes.
 */
import type { Server, Socket } from 'socket.io'
import { ROOM_PREFIX } from './constants.js'
import type { Challenge } from './owner-proof.js'
import type {
  ClientToServerEvents, InterServerEvents, PeerId, ServerToClientEvents, SocketData, TreeId
} from './protocol.js'
import type { TokenBucket } from './rate-limit.js'

export type TypedServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>
export type TypedSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>

export function roomOf (peerID: PeerId): string {
  return ROOM_PREFIX + peerID
}

/** One membership as this process sees it. */
export interface Binding {
  treeID: TreeId
  peerID: PeerId
  /** Must equal the member's epoch in the store, or the binding is stale. */
  epoch: number
  /** The `ref` of the `tree:create` that made it (source only). */
  ref: string | null
  /** The socket's state; null while the socket is gone and the grace period runs. */
  client: ClientState | null
  /** Fires when the grace period is over. */
  timer: ReturnType<typeof setTimeout> | null
}

/** Per-socket state. */
export interface ClientState {
  socket: TypedSocket
  memberships: Map<TreeId, Binding>
  /** Events from one socket are handled one at a time, in order. */
  queue: Promise<void>
  signals: TokenBucket
  requests: TokenBucket
  /** Outstanding owner-proof nonces, oldest first. */
  challenges: Challenge[]
  /** What the server attached to the socket, to detach on close(). */
  listeners: Array<[string, (...args: unknown[]) => void]>
}

export interface BindParams {
  treeID: TreeId
  peerID: PeerId
  epoch: number
  ref: string | null
}

export class Registry {
  readonly clients = new Map<string, ClientState>()
  readonly #byPeer = new Map<PeerId, Binding>()
  readonly #byTree = new Map<TreeId, Set<PeerId>>()
  readonly #io: TypedServer

  constructor (io: TypedServer) {
    this.#io = io
  }

  get peerCount (): number { return this.#byPeer.size }
  get treeCount (): number { return this.#byTree.size }

  binding (peerID: PeerId): Binding | undefined {
    return this.#byPeer.get(peerID)
  }

  /** Bind a membership to `client`'s socket, taking it from any socket that held it before. */
  bind (client: ClientState, p: BindParams): Binding {
    const room = roomOf(p.peerID)
    const old = this.#byPeer.get(p.peerID)
    if (old !== undefined) this.#release(old)
    // A resumed membership (epoch > 0) may still have its older socket in the room, maybe
    // on another process: clear the room everywhere but for this socket. (A socket.io
    // adapter across processes applies the leave here only after its publish round trip,
    // so after the join below: without the exception the new socket would leave its own
    // room.) New memberships skip the broadcast.
    if (p.epoch > 0) this.#io.in(room).except(client.socket.id).socketsLeave(room)
    const b: Binding = { ...p, client, timer: null }
    this.#index(b)
    client.memberships.set(p.treeID, b)
    void client.socket.join(room)
    return b
  }

  /**
   * Hold a membership that no socket of this process has: one adopted from a dead process,
   * waiting for its client to resume (on any process).
   */
  hold (p: BindParams): Binding {
    this.unbind(p.peerID)
    const b: Binding = { ...p, client: null, timer: null }
    this.#index(b)
    return b
  }

  /** The socket is gone but the membership waits for a resume: unbind it from the socket only. */
  park (b: Binding): void {
    if (b.client !== null) {
      if (b.client.memberships.get(b.treeID) === b) b.client.memberships.delete(b.treeID)
      // socket.io emptied the rooms of the closed socket, but a join that was under way when
      // it closed may have put it back into this one.
      void b.client.socket.leave(roomOf(b.peerID))
    }
    b.client = null
  }

  /** Forget a membership (it left the tree, or the binding went stale). */
  unbind (peerID: PeerId): void {
    const b = this.#byPeer.get(peerID)
    if (b === undefined) return
    this.#release(b)
    this.#byPeer.delete(peerID)
    const peers = this.#byTree.get(b.treeID)
    peers?.delete(peerID)
    if (peers?.size === 0) this.#byTree.delete(b.treeID)
  }

  /** Forget every membership of a tree that ended. */
  dropTree (treeID: TreeId): void {
    for (const peerID of [...(this.#byTree.get(treeID) ?? [])]) this.unbind(peerID)
  }

  /** Every binding, for close(). */
  bindings (): IterableIterator<Binding> {
    return this.#byPeer.values()
  }

  #index (b: Binding): void {
    this.#byPeer.set(b.peerID, b)
    let peers = this.#byTree.get(b.treeID)
    if (peers === undefined) { peers = new Set(); this.#byTree.set(b.treeID, peers) }
    peers.add(b.peerID)
  }

  #release (b: Binding): void {
    if (b.timer !== null) { clearTimeout(b.timer); b.timer = null }
    if (b.client !== null) {
      if (b.client.memberships.get(b.treeID) === b) b.client.memberships.delete(b.treeID)
      void b.client.socket.leave(roomOf(b.peerID))
      b.client = null
    }
  }
}
