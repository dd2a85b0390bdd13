/**
 * The m trees of one feed, over one signalling socket: one PeerTreeClient per tree, every
 * connected link attached to the LinkForest as a SimplePeerLink. The source creates the owned trees `<key>.<i>`;
 * a subscriber joins them all, as a relay in its home tree and a leaf in the others, so
 * that the trees' interior nodes are disjoint (SplitStream) and one departure cuts at most
 * one tree below it.
 */
import type { Socket } from 'socket.io-client'
import { PeerTreeClient, type LinkInfo, type LinkPeer, type PeerTreeClientOptions, type PeerTreeError } from 'peer-tree-client'
import { DEFAULT_PEER } from './default-peer.js'
import { LinkForest, type LinkForestEvents, type LinkForestOptions } from './link-forest.js'
import { LEAVE_LINGER_MS } from './net-constants.js'
import { SimplePeerLink } from './simple-peer-link.js'

export interface ForestEvents extends LinkForestEvents {
  /** A tree of the feed is gone (its source left) or could not be joined; it is retried. */
  treeDown: (tree: number, err?: PeerTreeError) => void
  /** This member was placed (again) in a tree. */
  placed: (tree: number) => void
  error: (err: Error) => void
}

/** Refusals of a create that pass: the server is busy (an old source in its grace period counts too). */
const RETRY_CREATE = new Set(['RATE_LIMITED', 'STORE_UNAVAILABLE'])
/** Refusals of a join that pass: the feed's source is not up yet, or the server is busy. */
const RETRY_JOIN = new Set(['TREE_NOT_FOUND', 'RATE_LIMITED', 'STORE_UNAVAILABLE', 'TREE_FULL'])

export interface ForestOptions extends LinkForestOptions {
  /** Passed to every PeerTreeClient (`wrtc`, `config`, `timeout`, `Peer`, ...). */
  peer?: PeerTreeClientOptions
  /** First delay before re-joining a tree that ended or was not found; doubles up to 10 s. */
  retryMs?: number
}

export class Forest extends LinkForest<ForestEvents> {
  readonly socket: Socket
  readonly clients: PeerTreeClient[] = []
  #opts: ForestOptions
  #retryTimers = new Set<unknown>()

  constructor (socket: Socket, opts: ForestOptions = {}) {
    super(opts)
    this.socket = socket
    this.#opts = opts
  }

  /**
   * Creates tree `index` of the feed with this member as its source. Resolves with the tree
   * ID once the server accepted the owner proof; rejects with the server's error when it is
   * final (NOT_OWNER, TREE_EXISTS, ...); passing refusals (rate limit, store down) are tried
   * again. If the tree ends later (this source's signalling socket dropped for longer than
   * the server's grace period), it is created again, with a fresh proof.
   */
  createTree (index: number, owner: { publicKey: string, sign: (bytes: Uint8Array) => Promise<Uint8Array> }, limits: { k: number, k1: number }): Promise<string> {
    const client = this.#client(index)
    const create = (): void => { client.create({ ...limits, owner: { publicKey: owner.publicKey, index, sign: owner.sign } }) }
    let delay = this.#opts.retryMs ?? 500
    let created = false
    return new Promise<string>((resolve, reject) => {
      client.on('discover', (treeID) => {
        delay = this.#opts.retryMs ?? 500
        if (!created) { created = true; resolve(treeID) }
      })
      client.on('treeEnded', () => {
        this.emit('treeDown', index)
        create()
      })
      client.on('error', (err) => {
        if (client.treeID !== null) { this.emit('error', err); return }
        if (!created && !RETRY_CREATE.has(err.code)) { reject(err); return }
        if (created) this.emit('error', err)
        this.#later(create, delay)
        delay = Math.min(delay * 2, 10_000)
      })
      create()
    })
  }

  /** Joins tree `index` (`<key>.<index>`) and keeps trying while it does not exist. */
  joinTree (key: string, index: number, role: 'relay' | 'leaf'): void {
    const client = this.#client(index)
    let delay = this.#opts.retryMs ?? 500
    const attempt = (): void => {
      if (this.closed || client.destroyed || client.treeID !== null) return
      client.connect(`${key}.${index}`, { role })
    }
    const retry = (err?: PeerTreeError): void => {
      this.emit('treeDown', index, err)
      this.#later(attempt, delay)
      delay = Math.min(delay * 2, 10_000)
    }
    client.on('discover', () => { delay = this.#opts.retryMs ?? 500; this.emit('placed', index) })
    client.on('treeEnded', () => retry())
    client.on('error', (err) => {
      // Not there yet, or refused for now: join again later. Anything else is reported.
      if (RETRY_JOIN.has(err.code) && client.treeID === null) retry(err)
      else this.emit('error', err)
    })
    attempt()
  }

  /**
   * Runs `fn` after about `ms` (between half and one and a half times it, so that the trees
   * of a forest, and the peers of a swarm, do not all retry in the same instant), unless the
   * forest closes first.
   */
  #later (fn: () => void, ms: number): void {
    if (this.closed) return
    const timer = this.clock.setTimeout(() => {
      this.#retryTimers.delete(timer)
      if (!this.closed) fn()
    }, ms * (0.5 + this.clock.random()))
    this.#retryTimers.add(timer)
  }

  override close (): void {
    if (this.closed) return
    for (const t of this.#retryTimers) this.clock.clear(t)
    this.#retryTimers.clear()
    // Stop every send first (the links detach), then leave with the connections still open
    // for a moment: the server tells each neighbour, which closes its end itself. A close
    // from the other end while a Node peer is sending can crash @roamhq/wrtc, so the
    // neighbours must not get one.
    super.close()
    for (const c of this.clients) c.destroy({ lingerMs: LEAVE_LINGER_MS })
  }

  #client (index: number): PeerTreeClient {
    if (this.clients[index] !== undefined) throw new RangeError(`tree ${index} is already in this forest`)
    const client = new PeerTreeClient(this.socket, { ...(DEFAULT_PEER !== undefined && { Peer: DEFAULT_PEER }), ...this.#opts.peer })
    this.clients[index] = client
    const wrap = (direction: 'up' | 'down') => (peer: LinkPeer, info: LinkInfo): void => {
      if (this.closed) { peer.destroy(); return }
      this.attach(new SimplePeerLink(peer), { tree: index, direction, remote: info.peerID })
    }
    client.on('upstreamPeer', wrap('up'))
    client.on('downstreamPeer', wrap('down'))
    return client
  }
}
