import type SimplePeer from 'simple-peer'
import type { Socket } from 'socket.io-client'
import {
  ownerSignable,
  type ChildMessage, type DiscoverMessage, type EndedMessage, type ErrorMessage, type PeerId,
  type PeerRole, type SessionId, type SignalMessage, type TreeId, type UnlinkMessage
} from './protocol.js'
import { requestChallenge, serverIdentity } from './challenge.js'
import { DEFAULT_TIMEOUT_MS } from './constants.js'
import type { PeerConstructor, PeerOptions } from './create-peer.js'
import { TypedEmitter } from './emitter.js'
import { ClientErrorCodes, PeerTreeError } from './errors.js'
import { PeerLink, type LinkPeerOptions } from './peer-link.js'
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

type State = 'idle' | 'creating' | 'joining' | 'member'

/**
 * Joins one peer-tree tree over a socket.io-client socket and opens the WebRTC links
 * to its upstream and downstream peers. Several clients may share one socket (one per tree).
 */
class PeerTreeClientImpl extends TypedEmitter<PeerTreeClientEvents> {
  /** Options handed to simple-peer for every link (a copy; the caller's object is not touched). */
  readonly opts: PeerTreeClientOptions
  readonly timeout: number
  destroyed = false
  #socket: Socket
  #peerOpts: LinkPeerOptions
  #state: State = 'idle'
  #treeID: TreeId | null = null
  #peerID: PeerId | null = null
  #isSource = false
  #ref: string | null = null
  #token: string | null = null
  #role: PeerRole = 'relay'
  #upstream: PeerLink | null = null
  #downstream = new Map<SessionId, PeerLink>()
  /** A reconnect request is out and its discover has not come back yet. */
  #awaitingPlacement = false
  /** The session named by the reconnect request that is out (null: any upstream). */
  #askedFor: SessionId | null = null
  /** Asks again after a refused reconnect request (rate limit, store down). */
  #retry: ReturnType<typeof setTimeout> | undefined
  #socketWasDown = false
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
    this.#socket = socket
    this.#bind('tree:discover', (msg: DiscoverMessage) => this.#onDiscover(msg))
    this.#bind('tree:ended', (msg: EndedMessage) => this.#onEnded(msg))
    this.#bind('tree:error', (msg: ErrorMessage) => this.#onError(msg))
    this.#bind('peer:child', (msg: ChildMessage) => this.#onChild(msg))
    this.#bind('peer:unlink', (msg: UnlinkMessage) => this.#onUnlink(msg))
    this.#bind('peer:signal', (msg: SignalMessage) => this.#onSignal(msg))
    this.#bind('disconnect', () => { this.#socketWasDown = true })
    this.#bind('connect', () => this.#onSocketConnect())
  }

  /** The ID of the tree this client is in, or null. */
  get treeID (): TreeId | null { return this.#treeID }
  /** This client's ID in the tree, or null. */
  get peerID (): PeerId | null { return this.#peerID }
  /** True on the source of the tree. */
  get isSource (): boolean { return this.#isSource }
  /** The connected upstream peer, or null. */
  get upstreamPeer (): SimplePeer.Instance | null {
    return this.#upstream?.connected === true ? this.#upstream.peer : null
  }

  /** The connected downstream peers. */
  get downstreamPeers (): SimplePeer.Instance[] {
    return [...this.#downstream.values()].filter((l) => l.connected).map((l) => l.peer)
  }

  /**
   * Creates a new tree with this client as its source; `'discover'` fires with its ID.
   * @example treeClient.create(); treeClient.on('discover', (treeID) => share(treeID))
   */
  create (opts: CreateOptions = {}): void {
    this.#assertAlive()
    if (this.#state !== 'idle') {
      this.#emitErrorSoon(ClientErrorCodes.ALREADY_IN_TREE, 'Already connected to tree.')
      return
    }
    this.#state = 'creating'
    const ref = randomId()
    this.#ref = ref
    const { k, k1, owner } = opts
    const base = { ref, ...(k !== undefined && { k }), ...(k1 !== undefined && { k1 }) }
    if (owner === undefined) {
      this.#socket.emit('tree:create', base)
      return
    }
    this.#proveOwnership(owner).then((proof) => {
      if (this.destroyed || this.#ref !== ref) return
      this.#socket.emit('tree:create', { ...base, owner: proof })
    }, (err: unknown) => {
      if (this.#ref !== ref) return
      this.#reset()
      // The server refused the challenge (a rate limit, say): pass its code on as it is.
      if (err instanceof PeerTreeError) this.emit('error', err)
      else this.#emitError(ClientErrorCodes.OWNER_PROOF_FAILED, 'Could not sign the owner proof', err)
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
    if (this.#state !== 'idle') {
      this.#emitErrorSoon(ClientErrorCodes.ALREADY_IN_TREE, 'Already connected to a tree')
      return
    }
    this.#state = 'joining'
    this.#treeID = treeID
    this.#role = opts.role ?? 'relay'
    this.#socket.emit('tree:join', { treeID, role: this.#role })
  }

  /** Drops the current upstream peer and asks the server for a new one. No-op on the source. */
  reconnectUpstream (): void {
    this.#assertAlive()
    if (this.#state !== 'member' || this.#isSource || this.#treeID === null) return
    if (this.#awaitingPlacement) return // one request, one move: the original moved twice
    this.#dropUpstream()
    this.#askForUpstream(null)
  }

  /**
   * Sends `chunk` to every downstream peer connected now (not to ones that connect later).
   * Returns how many peers it was written to.
   */
  write (chunk: string | Uint8Array): number {
    this.#assertAlive()
    let n = 0
    for (const link of this.#downstream.values()) {
      // Only to a channel that is open now: a write on one that is closing or torn down can
      // crash a native WebRTC stack. simple-peer's `connected` reads the channel's readyState.
      const peer = link.peer as typeof link.peer & { destroying?: boolean }
      if (!link.connected || peer.destroyed || peer.destroying === true || !peer.connected) continue
      link.peer.write(chunk)
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
    this.destroyed = true
    if (this.#treeID !== null && (this.#state === 'member' || this.#state === 'joining')) {
      this.#socket.emit('tree:leave', { treeID: this.#treeID })
    }
    const lingerMs = opts.lingerMs ?? 0
    if (lingerMs > 0) {
      const links = [...(this.#upstream === null ? [] : [this.#upstream]), ...this.#downstream.values()]
      for (const link of links) link.mute()
      this.#upstream = null
      this.#downstream.clear()
      const timer = setTimeout(() => { for (const link of links) link.close() }, lingerMs)
      ;(timer as { unref?: () => void }).unref?.()
    }
    this.#closeLinks()
    this.#cancelRetry()
    for (const unbind of this.#unbind) unbind()
    this.#unbind = []
    this.removeAllListeners()
  }

  protected override onListenerError (event: keyof PeerTreeClientEvents, err: unknown): void {
    if (event === 'error') return
    this.#emitError(ClientErrorCodes.HANDLER_ERROR, `A '${String(event)}' handler threw`, err)
  }

  #onDiscover (msg: DiscoverMessage): void {
    if (msg == null || typeof msg !== 'object') return
    if (this.#state === 'creating') {
      if (msg.ref === undefined || msg.ref !== this.#ref) return
      this.#state = 'member'
      this.#isSource = true
      this.#treeID = msg.treeID
      this.#peerID = msg.peerID
      this.#token = msg.token
      this.emit('discover', msg.treeID)
      return
    }
    if (msg.treeID !== this.#treeID || (this.#state !== 'joining' && this.#state !== 'member')) return
    this.#peerID = msg.peerID
    this.#token = msg.token
    this.#awaitingPlacement = false
    this.#cancelRetry()
    const current = this.#upstream
    // Confirmations sent while the socket was down reached the server before the resume (and
    // were refused): say again which links are up, or the server would give them up.
    if (msg.reason === 'resume') this.#reconfirm(msg.session)
    if (msg.reason === 'resume' && current !== null && current.session === msg.session) return
    this.#dropUpstream()
    this.#state = 'member'
    this.emit('discover', msg.treeID)
    if (this.destroyed || msg.parent === null || msg.session === null) return
    this.#openUpstream(msg.session, msg.parent)
  }

  #openUpstream (session: SessionId, parent: PeerId): void {
    const treeID = this.#treeID as TreeId
    const link: PeerLink = new PeerLink(session, parent, 'upstream', this.#peerOpts, this.timeout, {
      signal: (signal) => this.#socket.emit('peer:signal', { treeID, session, signal }),
      connect: (peer) => {
        this.#socket.emit('peer:connected', { treeID, session })
        this.emit('upstreamPeer', peer, { peerID: parent, session, treeID })
      },
      end: () => {
        if (this.#upstream !== link) return
        this.#upstream = null
        this.emit('disconnect')
        if (this.destroyed || this.#state !== 'member') return
        this.#askForUpstream(session)
      }
    })
    this.#upstream = link
  }

  /** Sends `peer:connected` again for the connected downstream links, and for the upstream if it is still `session`. */
  #reconfirm (session: SessionId | null): void {
    const treeID = this.#treeID as TreeId
    const up = this.#upstream
    if (up !== null && up.connected && up.session === session) this.#socket.emit('peer:connected', { treeID, session: up.session })
    for (const link of this.#downstream.values()) {
      if (link.connected) this.#socket.emit('peer:connected', { treeID, session: link.session })
    }
  }

  /**
   * Asks the server for a new upstream. `session` is the link given up (a request that
   * crossed a move the server made is ignored), or null for any new upstream.
   * `failed` asks the server to avoid the old upstream: a peer that gave up on it wants a different one.
   */
  #askForUpstream (session: SessionId | null): void {
    this.#awaitingPlacement = true
    this.#askedFor = session
    this.#socket.emit('tree:reconnect', { treeID: this.#treeID as TreeId, session, failed: true })
  }

  /**
   * The server refused the reconnect request, so nothing moved. A later reconnectUpstream()
   * may ask again, and after a transient refusal (rate limit, store down) the client asks
   * again by itself after `timeout`, unless it was placed meanwhile.
   */
  #onReconnectRefused (code: string): void {
    this.#awaitingPlacement = false
    if (code !== 'RATE_LIMITED' && code !== 'STORE_UNAVAILABLE') return
    const session = this.#askedFor
    this.#cancelRetry()
    this.#retry = setTimeout(() => {
      this.#retry = undefined
      if (this.destroyed || this.#state !== 'member' || this.#upstream !== null || this.#awaitingPlacement) return
      this.#askForUpstream(session)
    }, this.timeout)
  }

  #cancelRetry (): void {
    if (this.#retry !== undefined) clearTimeout(this.#retry)
    this.#retry = undefined
  }

  /**
   * A child was placed under us. The parent end confirms the link once it is up (the server
   * counts a link only when both ends did), and reports it failed when it does not come up
   * in time or ends later, whoever ended it (the application destroying a peer it distrusts
   * included): the server then frees the slot at once and places the child elsewhere.
   */
  #onChild (msg: ChildMessage): void {
    if (msg?.treeID !== this.#treeID || this.#state !== 'member') return
    if (this.#downstream.has(msg.session)) return
    const { treeID, session } = msg
    const link: PeerLink = new PeerLink(session, msg.child, 'downstream', this.#peerOpts, this.timeout, {
      signal: (signal) => this.#socket.emit('peer:signal', { treeID, session, signal }),
      connect: (peer) => {
        this.#socket.emit('peer:connected', { treeID, session })
        this.emit('downstreamPeer', peer, { peerID: msg.child, session, treeID })
      },
      end: () => {
        if (this.#downstream.get(session) !== link) return
        this.#downstream.delete(session)
        if (!this.destroyed) this.#socket.emit('peer:failed', { treeID, session })
      }
    })
    this.#downstream.set(session, link)
  }

  #onUnlink (msg: UnlinkMessage): void {
    if (msg?.treeID !== this.#treeID) return
    const link = this.#downstream.get(msg.session)
    if (link === undefined) return
    this.#downstream.delete(msg.session)
    link.close()
  }

  #onSignal (msg: SignalMessage): void {
    if (msg?.treeID !== this.#treeID) return
    const link = this.#upstream?.session === msg.session ? this.#upstream : this.#downstream.get(msg.session)
    link?.signal(msg.signal)
  }

  #onEnded (msg: EndedMessage): void {
    if (msg?.treeID !== this.#treeID || this.#state === 'idle' || this.#state === 'creating') return
    const treeID = msg.treeID
    this.#dropUpstream()
    this.#reset()
    this.emit('treeEnded', treeID)
  }

  #onError (msg: ErrorMessage): void {
    if (msg == null || typeof msg !== 'object') return
    // Refused challenges go to the create that asked for one (challenge.ts), not to everyone.
    if (msg.event === 'tree:challenge') return
    // A link report that crossed a move or a leave (the link was already gone on the server,
    // or it reached the server before this socket's resume): nothing to do, nothing to tell.
    const linkReport = msg.event === 'peer:connected' || msg.event === 'peer:failed'
    if (linkReport && (msg.code === 'UNKNOWN_SESSION' || msg.code === 'NOT_IN_TREE')) return
    const mine = (msg.ref !== undefined && msg.ref === this.#ref) ||
      (msg.treeID !== undefined && msg.treeID === this.#treeID) ||
      (msg.ref === undefined && msg.treeID === undefined)
    if (!mine) return
    // The server no longer holds our place: a resume after our grace period ran out or after
    // the tree ended, or a reconnect for a membership it dropped.
    const placeGone = msg.code === 'BAD_TOKEN' || msg.code === 'TREE_NOT_FOUND' || msg.code === 'NOT_IN_TREE'
    if ((msg.event === 'tree:resume' || msg.event === 'tree:reconnect') && placeGone && this.#state === 'member') {
      this.#onPlaceLost()
      return
    }
    // A resume refused for a passing reason (store down, rate limit): claim the place again later.
    if (msg.event === 'tree:resume' && (msg.code === 'STORE_UNAVAILABLE' || msg.code === 'RATE_LIMITED') && this.#state === 'member') {
      this.#cancelRetry()
      this.#retry = setTimeout(() => {
        this.#retry = undefined
        if (!this.destroyed && this.#state === 'member' && this.#treeID !== null && this.#token !== null) {
          this.#socket.emit('tree:resume', { treeID: this.#treeID, token: this.#token })
        }
      }, this.timeout)
    }
    if (this.#state === 'creating' || (this.#state === 'joining' && msg.event === 'tree:join')) this.#reset()
    if (msg.event === 'tree:reconnect' && this.#awaitingPlacement && this.#state === 'member') this.#onReconnectRefused(String(msg.code))
    this.emit('error', new PeerTreeError(msg.code, String(msg.message)))
  }

  /** After a signalling-socket blip the server may still hold our place: claim it back. */
  #onSocketConnect (): void {
    if (!this.#socketWasDown) return
    this.#socketWasDown = false
    if (this.#state !== 'member' || this.#treeID === null || this.#token === null) return
    this.#socket.emit('tree:resume', { treeID: this.#treeID, token: this.#token })
  }

  /** Our place is gone (the grace period ran out, or the server dropped it): a joiner joins again, a source's tree has ended. */
  #onPlaceLost (): void {
    const treeID = this.#treeID as TreeId
    if (this.#isSource) {
      this.#reset()
      this.emit('treeEnded', treeID)
      return
    }
    this.#dropUpstream()
    this.#closeLinks()
    this.#state = 'joining'
    this.#socket.emit('tree:join', { treeID, role: this.#role })
  }

  async #proveOwnership (owner: TreeOwner): Promise<{ key: string, index: number, nonce: string, signature: string }> {
    const key = typeof owner.publicKey === 'string' ? owner.publicKey : toBase64Url(owner.publicKey)
    const nonce = await requestChallenge(this.#socket)
    const signature = await owner.sign(ownerSignable(serverIdentity(this.#socket), nonce, key, owner.index))
    return { key, index: owner.index, nonce, signature: toBase64Url(signature) }
  }

  /** Closes the upstream link, firing `'disconnect'` if there was one. */
  #dropUpstream (): void {
    const link = this.#upstream
    if (link === null) return
    this.#upstream = null
    link.close()
    this.emit('disconnect')
  }

  #closeLinks (): void {
    this.#upstream?.close()
    this.#upstream = null
    for (const link of this.#downstream.values()) link.close()
    this.#downstream.clear()
  }

  #reset (): void {
    this.#closeLinks()
    this.#state = 'idle'
    this.#treeID = null
    this.#peerID = null
    this.#ref = null
    this.#token = null
    this.#isSource = false
    this.#awaitingPlacement = false
    this.#cancelRetry()
  }

  #emitError (code: PeerTreeError['code'], message: string, cause?: unknown): void {
    this.emit('error', new PeerTreeError(code, message, cause === undefined ? undefined : { cause }))
  }

  /** For errors found inside a method call: a listener attached right after the call still gets it. */
  #emitErrorSoon (code: PeerTreeError['code'], message: string): void {
    queueMicrotask(() => { if (!this.destroyed) this.#emitError(code, message) })
  }

  #assertAlive (): void {
    if (this.destroyed) throw new PeerTreeError(ClientErrorCodes.ERR_DESTROYED, 'This PeerTreeClient was destroyed')
  }

  #bind (event: string, fn: (...args: any[]) => void): void {
    const safe = (...args: any[]): void => {
      if (this.destroyed) return
      // A throw inside a socket.io-client handler stops that socket from delivering
      // anything else (the original crashed its signalling this way), so nothing may escape.
      try { fn(...args) } catch (err) { this.#emitError(ClientErrorCodes.HANDLER_ERROR, `Failed to handle '${event}'`, err) }
    }
    this.#socket.on(event as any, safe)
    this.#unbind.push(() => { this.#socket.off(event as any, safe) })
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
