import type SimplePeer from 'simple-peer'
import type { Socket } from 'socket.io-client'
import {
  ownerSignable,
  type PeerId, type PeerRole, type ServerToClientEvents, type SessionId, type TreeId, type TreeSocket
} from './protocol.js'
import { requestChallenge, serverIdentity } from './challenge.js'
import { DEFAULT_TIMEOUT_MS } from './constants.js'
import type { PeerConstructor, PeerOptions } from './create-peer.js'
import { TypedEmitter } from './emitter.js'
import { ClientErrorCodes, PeerTreeError } from './errors.js'
import { initialMembership, reduce, type Command, type Membership, type MembershipEvent } from './membership.js'
import { PeerLink, type LinkDirection, type LinkPeerOptions } from './peer-link.js'
import { toBase64Url, randomId } from './encoding.js'

export interface PeerTreeClientOptions extends PeerOptions {
  /**
   * How long (ms) a peer connection may take to come up, upstream or downstream.
   * An upstream that does not connect in time is given up and the server is asked
   * for another one.
   * @default 10000
   */
  timeout?: number
  /**
   * The WebRTC peer class every link is made with. peer-tree-client's default is simple-peer
   * (the peers handed out are simple-peer instances, with streams and `pipe`);
   * peer-tree-client/core has no default and offers `DataPeer`, data only and small.
   */
  Peer?: PeerConstructor
}

/** Signs the server's challenge for an owned tree (see docs/protocol.md, owner proof). */
export interface TreeOwner {
  /** Ed25519 public key, 32 bytes, or base64url of it. */
  publicKey: Uint8Array | string
  /** Which of this key's trees to create (0-based); the tree ID becomes `<key>.<index>`. */
  index: number
  /** Ed25519-signs `bytes` with the secret key of `publicKey`. */
  sign: (bytes: Uint8Array) => Uint8Array | Promise<Uint8Array>
}

export interface CreateOptions {
  /** k of this tree, if it should differ from the server's. */
  k?: number
  /** k1 of this tree, if it should differ from the server's. */
  k1?: number
  /** Create a tree that only the holder of this key can be the source of. */
  owner?: TreeOwner
}

export interface ConnectOptions {
  /**
   * `relay` (default) takes downstream peers; `leaf` is given downstream peers only
   * when no relay in the tree has a free slot.
   * @default 'relay'
   */
  role?: PeerRole
}

/** Who is at the other end of a link (the second argument of `upstreamPeer` / `downstreamPeer`). */
export interface LinkInfo {
  /** The remote member's ID in the tree. */
  peerID: PeerId
  /** The link's session ID, as the server named it. */
  session: SessionId
  treeID: TreeId
}

export interface PeerTreeClientEvents {
  /** The tree was created or joined, or this client was placed anew in it (after every re-home). */
  discover: (treeID: TreeId) => void
  /** An upstream peer is connected (never fires on the source). `peer` is a connected simple-peer. */
  upstreamPeer: (peer: SimplePeer.Instance, info: LinkInfo) => void
  /** A downstream peer is connected. `peer` is a connected simple-peer. */
  downstreamPeer: (peer: SimplePeer.Instance, info: LinkInfo) => void
  /** This client lost or gave up its upstream peer; it is re-placed automatically. */
  disconnect: () => void
  /** The source left: the tree is gone. The client may `create()` or `connect()` again. */
  treeEnded: (treeID: TreeId) => void
  error: (err: PeerTreeError) => void
}

const SOCKET_EVENTS = ['tree:discover', 'tree:ended', 'tree:error', 'peer:child', 'peer:unlink', 'peer:signal', 'server:draining', 'connect', 'disconnect', 'connect_error'] as const

/**
 * Joins one peer-tree tree over a socket.io-client socket and opens the WebRTC links
 * to its upstream and downstream peers. Several clients may share one socket (one per tree).
 * The membership's rules are in membership.ts; this class carries out what they decide.
 */
class PeerTreeClientImpl extends TypedEmitter<PeerTreeClientEvents> {
  /** Options handed to simple-peer for every link (a copy; the caller's object is not touched). */
  readonly opts: PeerTreeClientOptions
  readonly timeout: number
  destroyed = false
  #socket: TreeSocket
  #peerOpts: LinkPeerOptions
  #m: Membership
  /** The open links by session, upstream and downstream. */
  #links = new Map<SessionId, PeerLink>()
  #retry: ReturnType<typeof setTimeout> | undefined
  #unbind: Array<() => void> = []

  constructor (socket: Socket, opts: PeerTreeClientOptions = {}) {
    super()
    if (socket == null || typeof socket.on !== 'function' || typeof socket.emit !== 'function') {
      throw new TypeError('PeerTreeClient needs a socket.io-client socket')
    }
    const timeout = opts.timeout ?? DEFAULT_TIMEOUT_MS
    if (!Number.isFinite(timeout) || timeout <= 0) throw new RangeError('opts.timeout must be a positive number of ms')
    const Peer = opts.Peer
    if (typeof Peer !== 'function') throw new TypeError('PeerTreeClient needs opts.Peer, a WebRTC peer class (peer-tree-client/core has no default)')
    this.opts = { ...opts }
    this.timeout = timeout
    const { timeout: _t, Peer: _p, ...peerOpts } = this.opts
    this.#peerOpts = { ...peerOpts, Peer }
    this.#socket = socket as TreeSocket
    this.#m = initialMembership(timeout)
    for (const type of SOCKET_EVENTS) this.#bind(type, (msg) => this.#run({ type, msg }))
  }

  /** The ID of the tree this client is in, or null. */
  get treeID (): TreeId | null { return this.#m.treeID }
  /** This client's ID in the tree, or null. */
  get peerID (): PeerId | null { return this.#m.peerID }
  /** True on the source of the tree. */
  get isSource (): boolean { return this.#m.isSource }
  /** The connected upstream peer, or null. */
  get upstreamPeer (): SimplePeer.Instance | null {
    const up = this.#m.upstream
    return up?.connected === true ? this.#links.get(up.session)?.peer ?? null : null
  }

  /** The connected downstream peers. */
  get downstreamPeers (): SimplePeer.Instance[] {
    return this.#downstream().map((l) => l.peer)
  }

  /**
   * Creates a new tree with this client as its source; `'discover'` fires with its ID.
   * @example treeClient.create(); treeClient.on('discover', (treeID) => share(treeID))
   */
  create (opts: CreateOptions = {}): void {
    this.#assertAlive()
    const ref = randomId()
    const { k, k1, owner } = opts
    const req = { ref, ...(k !== undefined && { k }), ...(k1 !== undefined && { k1 }) }
    this.#run({ type: 'create', req, proving: owner !== undefined })
    if (owner === undefined || this.#m.ref !== ref) return
    this.#proveOwnership(owner).then((proof) => {
      this.#run({ type: 'proved', req: { ...req, owner: proof } })
    }, (err: unknown) => {
      // The server refused the challenge (a rate limit, say): pass its code on as it is.
      this.#run({
        type: 'proved',
        req,
        error: err instanceof PeerTreeError
          ? { code: err.code, message: err.message }
          : { code: ClientErrorCodes.OWNER_PROOF_FAILED, message: 'Could not sign the owner proof', cause: err }
      })
    })
  }

  /**
   * Joins an existing tree; `'discover'` fires once placed, `'upstreamPeer'` once connected.
   * @example treeClient.connect(treeID); treeClient.on('upstreamPeer', (peer) => peer.pipe(out))
   */
  connect (treeID: TreeId, opts: ConnectOptions = {}): void {
    this.#assertAlive()
    if (typeof treeID !== 'string' || treeID.length === 0) {
      throw new PeerTreeError(ClientErrorCodes.INVALID_ARGUMENT, 'treeID must be a non-empty string')
    }
    if (opts.role !== undefined && opts.role !== 'relay' && opts.role !== 'leaf') {
      throw new PeerTreeError(ClientErrorCodes.INVALID_ARGUMENT, "opts.role must be 'relay' or 'leaf'")
    }
    this.#run({ type: 'join', treeID, role: opts.role ?? 'relay' })
  }

  /** Drops the current upstream peer and asks the server for a new one. No-op on the source. */
  reconnectUpstream (): void {
    this.#assertAlive()
    this.#run({ type: 'reconnectUpstream' })
  }

  /**
   * Sends `chunk` to every downstream peer connected now (not to ones that connect later).
   * Returns how many peers it was written to.
   */
  write (chunk: string | Uint8Array): number {
    this.#assertAlive()
    let n = 0
    for (const link of this.#downstream()) {
      // Only to a channel that is open now: a write on one that is closing or torn down can
      // crash a native WebRTC stack. simple-peer's `connected` reads the channel's readyState.
      const peer = link.peer as typeof link.peer & { destroying?: boolean }
      if (peer.destroyed || peer.destroying === true || !peer.connected) continue
      peer.write(chunk)
      n++
    }
    return n
  }

  /**
   * Leaves the tree, closes every peer connection and stops all events. The socket stays open. Idempotent.
   *
   * `lingerMs` keeps the peer connections open that long after leaving (no event fires for
   * them any more), so that the neighbours, told by the server, close their ends first: in
   * Node, @roamhq/wrtc can crash a process that is sending when the other end closes.
   */
  destroy (opts: { lingerMs?: number } = {}): void {
    if (this.destroyed) return
    this.#run({ type: 'destroy', lingerMs: opts.lingerMs ?? 0 })
    for (const unbind of this.#unbind) unbind()
    this.#unbind = []
    this.removeAllListeners()
  }

  protected override onListenerError (event: keyof PeerTreeClientEvents, err: unknown): void {
    if (event === 'error') return
    this.#emitError(ClientErrorCodes.HANDLER_ERROR, `A '${String(event)}' handler threw`, err)
  }

  /** Runs one transition and carries out its commands; a listener that destroys the client stops the rest. */
  #run (event: MembershipEvent): void {
    if (this.destroyed) return
    const { state, commands } = reduce(this.#m, event)
    this.#m = state
    this.destroyed = state.phase === 'destroyed'
    for (const c of commands) {
      if (this.destroyed && event.type !== 'destroy') return
      this.#do(c)
    }
  }

  #do (c: Command): void {
    const links = this.#links
    const link = 'session' in c ? links.get(c.session) : undefined
    switch (c.do) {
      case 'send':
        // Each command was typed against the event maps where it was made.
        ;(this.#socket.emit as (event: string, payload: unknown) => void)(c.event, c.payload)
        return
      case 'open': return this.#open(c.session, c.remote, c.direction)
      case 'close':
        links.delete(c.session)
        if (c.lingerMs === undefined) return link?.close()
        link?.mute()
        ;(setTimeout(() => link?.close(), c.lingerMs) as { unref?: () => void }).unref?.()
        return
      case 'signal': return link?.signal(c.signal)
      case 'timer':
        clearTimeout(this.#retry)
        if (c.ms !== null) this.#retry = setTimeout(() => this.#run({ type: 'timer' }), c.ms)
        return
      case 'connectSocket':
        // Another client on the same socket may have connected it again already.
        if (!this.#socket.active) this.#socket.connect()
        return
      case 'peer':
        if (link !== undefined) this.emit(c.event, link.peer, c.info)
        return
      case 'emit':
        this.emit(c.event, ...(c.args as [string]))
        return
      case 'error':
        if (c.soon === true) queueMicrotask(() => { if (!this.destroyed) this.#emitError(c.code, c.message) })
        else this.#emitError(c.code, c.message, c.cause)
    }
  }

  #open (session: SessionId, remote: PeerId, direction: LinkDirection): void {
    const treeID = this.#m.treeID as TreeId
    this.#links.set(session, new PeerLink(session, remote, direction, this.#peerOpts, this.timeout, {
      signal: (signal) => this.#socket.emit('peer:signal', { treeID, session, signal }),
      connect: () => this.#run({ type: 'link:connect', session }),
      end: () => {
        this.#links.delete(session)
        this.#run({ type: 'link:end', session })
      }
    }))
  }

  #downstream (): PeerLink[] {
    return [...this.#links.values()].filter((l) => l.direction === 'downstream' && l.connected)
  }

  async #proveOwnership (owner: TreeOwner): Promise<{ key: string, index: number, nonce: string, signature: string }> {
    const key = typeof owner.publicKey === 'string' ? owner.publicKey : toBase64Url(owner.publicKey)
    const nonce = await requestChallenge(this.#socket)
    const signature = await owner.sign(ownerSignable(serverIdentity(this.#socket), nonce, key, owner.index))
    return { key, index: owner.index, nonce, signature: toBase64Url(signature) }
  }

  #emitError (code: PeerTreeError['code'], message: string, cause?: unknown): void {
    this.emit('error', new PeerTreeError(code, message, cause === undefined ? undefined : { cause }))
  }

  #assertAlive (): void {
    if (this.destroyed) throw new PeerTreeError(ClientErrorCodes.ERR_DESTROYED, 'This PeerTreeClient was destroyed')
  }

  #bind (event: keyof ServerToClientEvents | 'connect' | 'disconnect' | 'connect_error', fn: (msg: unknown) => void): void {
    const safe = (msg: unknown): void => {
      // A throw inside a socket.io-client handler stops that socket from delivering
      // anything else (the original crashed its signalling this way), so nothing may escape.
      try { fn(msg) } catch (err) { this.#emitError(ClientErrorCodes.HANDLER_ERROR, `Failed to handle '${event}'`, err) }
    }
    // Each event's payload is checked where it is used (it comes off the network), so one listener type fits all.
    const listener = safe as ServerToClientEvents['tree:discover']
    this.#socket.on(event, listener)
    this.#unbind.push(() => { this.#socket.off(event, listener) })
  }
}

export type PeerTreeClient = PeerTreeClientImpl

export interface PeerTreeClientConstructor {
  new (socket: Socket, opts?: PeerTreeClientOptions): PeerTreeClient
  /** Calling without `new` works too, as with the original. */
  (socket: Socket, opts?: PeerTreeClientOptions): PeerTreeClient
  prototype: PeerTreeClient
}

/**
 * The PeerTreeClient constructor, callable with or without `new`, whose links are made with
 * `defaultPeer` unless the options name another `Peer`. The package's entries differ only in it.
 */
export function definePeerTreeClient (defaultPeer?: PeerConstructor): PeerTreeClientConstructor {
  const withPeer = (opts: PeerTreeClientOptions = {}): PeerTreeClientOptions =>
    opts.Peer !== undefined || defaultPeer === undefined ? opts : { ...opts, Peer: defaultPeer }
  return new Proxy(PeerTreeClientImpl, {
    apply: (Target, _this, [socket, opts]: [Socket, PeerTreeClientOptions?]) => new Target(socket, withPeer(opts)),
    construct: (Target, [socket, opts]: [Socket, PeerTreeClientOptions?], newTarget) => Reflect.construct(Target, [socket, withPeer(opts)], newTarget)
  }) as unknown as PeerTreeClientConstructor
}
