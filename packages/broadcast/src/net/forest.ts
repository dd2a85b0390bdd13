/**
 * The m trees of one feed, over one signalling socket: one PeerTreeClient per tree, every
 * connected link wrapped as a FeedLink. The source creates the owned trees `<key>.<i>`;
 * a subscriber joins them all, as a relay in its home tree and a leaf in the others, so
 * that the trees' interior nodes are disjoint (SplitStream) and one departure cuts at most
 * one tree below it.
 */
import type { Socket } from 'socket.io-client'
import type SimplePeer from 'simple-peer'
import { PeerTreeClient, TypedEmitter, type LinkInfo, type PeerTreeClientOptions, type PeerTreeError } from 'peer-tree-client'
import { FeedLink } from './feed-link.js'
import type { Frame } from '../reassembler.js'
import type { WireReason } from '../errors.js'

export interface ForestEvents {
  /** A link came up (upstream or downstream, in some tree). */
  link: (link: FeedLink) => void
  /** A link went down. */
  unlink: (link: FeedLink) => void
  frame: (link: FeedLink, frame: Frame) => void
  malformed: (link: FeedLink, reason: WireReason) => void
  /** A tree of the feed is gone (its source left) or could not be joined; it is retried. */
  treeDown: (tree: number, err?: PeerTreeError) => void
  /** This member was placed (again) in a tree. */
  placed: (tree: number) => void
  error: (err: Error) => void
}

export interface ForestOptions {
  /** Passed to every PeerTreeClient (`wrtc`, `config`, `timeout`, ...). */
  peer?: PeerTreeClientOptions
  maxMessageBytes?: number
  maxQueuedBytes?: number
  /** First delay before re-joining a tree that ended or was not found; doubles up to 10 s. */
  retryMs?: number
}

export class Forest extends TypedEmitter<ForestEvents> {
  readonly socket: Socket
  readonly links = new Set<FeedLink>()
  readonly clients: PeerTreeClient[] = []
  closed = false
  #opts: ForestOptions
  #retryTimers = new Set<ReturnType<typeof setTimeout>>()

  constructor (socket: Socket, opts: ForestOptions = {}) {
    super()
    this.socket = socket
    this.#opts = opts
  }

  /** Upstream links, one per tree at most. */
  upstreams (): FeedLink[] {
    return [...this.links].filter((l) => l.direction === 'up')
  }

  downstreams (): FeedLink[] {
    return [...this.links].filter((l) => l.direction === 'down')
  }

  /**
   * Creates tree `index` of the feed with this member as its source. Resolves with the tree
   * ID once the server accepted the owner proof; rejects with the server's error. If the
   * tree ends later (this source's signalling socket dropped for longer than the server's
   * grace period), it is created again, with a fresh proof, once the socket is back.
   */
  createTree (index: number, owner: { publicKey: string, sign: (bytes: Uint8Array) => Promise<Uint8Array> }, limits: { k: number, k1: number }): Promise<string> {
    const client = this.#client(index)
    const create = (): void => { client.create({ ...limits, owner: { publicKey: owner.publicKey, index, sign: owner.sign } }) }
    const created = new Promise<string>((resolve, reject) => {
      const onError = (err: PeerTreeError): void => { client.off('discover', onDiscover); reject(err) }
      const onDiscover = (treeID: string): void => { client.off('error', onError); resolve(treeID) }
      client.once('error', onError)
      client.once('discover', onDiscover)
    })
    void created.then(() => {
      let delay = this.#opts.retryMs ?? 500
      client.on('discover', () => { delay = this.#opts.retryMs ?? 500 })
      client.on('treeEnded', () => {
        this.emit('treeDown', index)
        create()
      })
      client.on('error', (err) => {
        this.emit('error', err)
        // A re-creation the server refused (rate limit, an old source still in its grace
        // period): try again later, more slowly each time.
        if (client.treeID !== null) return
        this.#later(create, delay)
        delay = Math.min(delay * 2, 10_000)
      })
    }, () => {})
    create()
    return created
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
      if (err.code === 'TREE_NOT_FOUND') retry(err)
      else this.emit('error', err)
    })
    attempt()
  }

  /** Runs `fn` after `ms`, unless the forest closes first. */
  #later (fn: () => void, ms: number): void {
    if (this.closed) return
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer)
      if (!this.closed) fn()
    }, ms)
    this.#retryTimers.add(timer)
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    for (const t of this.#retryTimers) clearTimeout(t)
    this.#retryTimers.clear()
    for (const c of this.clients) c.destroy()
    for (const l of [...this.links]) l.close()
    this.removeAllListeners()
  }

  #client (index: number): PeerTreeClient {
    if (this.clients[index] !== undefined) throw new RangeError(`tree ${index} is already in this forest`)
    const client = new PeerTreeClient(this.socket, this.#opts.peer ?? {})
    this.clients[index] = client
    const wrap = (direction: 'up' | 'down') => (peer: SimplePeer.Instance, info: LinkInfo): void => {
      if (this.closed) { peer.destroy(); return }
      const linkOpts = {
        ...(this.#opts.maxMessageBytes !== undefined && { maxMessageBytes: this.#opts.maxMessageBytes }),
        ...(this.#opts.maxQueuedBytes !== undefined && { maxQueuedBytes: this.#opts.maxQueuedBytes })
      }
      const link = new FeedLink(peer, { tree: index, direction, remote: info.peerID }, {
        frame: (l, frame) => this.emit('frame', l, frame),
        malformed: (l, reason) => this.emit('malformed', l, reason),
        close: (l) => { if (this.links.delete(l)) this.emit('unlink', l) }
      }, linkOpts)
      this.links.add(link)
      this.emit('link', link)
    }
    client.on('upstreamPeer', wrap('up'))
    client.on('downstreamPeer', wrap('down'))
    return client
  }
}
