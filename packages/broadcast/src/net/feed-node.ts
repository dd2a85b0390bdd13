/**
 * What the source and every subscriber share: the forest of links, a cache of recent block
 * messages (encoded, ready to send), answering WANTs from downstream peers, and passing the
 * log's end (HAVE) down the trees.
 */
import { TypedEmitter, toBase64Url, type EventMap } from 'peer-tree-client'
import { LRUCache } from 'lru-cache'
import { encodeMessage, MessageType, type WireMessage } from '../wire.js'
import type { Frame } from '../reassembler.js'
import type { InvalidReport, PeerReason } from '../errors.js'
import type { FeedLink } from './feed-link.js'
import type { Clock } from './clock.js'
import type { AnyLinkForest, LinkForest } from './link-forest.js'
import { WantServer } from './want-server.js'
import { DEFAULT_WANT_BUDGET } from './want-budget.js'

export interface FeedNodeOptions {
  /** Encoded blocks kept in memory to answer WANTs. */
  cacheBlocks: number
  /** Most blocks answered for one WANT (a bigger request is cut; the asker asks again). */
  maxWantBlocks: number
}

/** Every feed node reports failures nobody awaits as `'error'`, and peers it dropped as `'invalid'`. */
interface ErrorEvents {
  error: (err: Error) => void
  invalid: (report: InvalidReport) => void
}

export abstract class FeedNode<Events extends EventMap<Events> & ErrorEvents, F extends AnyLinkForest> extends TypedEmitter<Events> {
  /** The node's links; Forest (signalled over a socket) for Feed.create and Feed.join. */
  readonly forest: F
  /** The same forest, seen with just the link events this node listens to. */
  protected readonly linkEvents: LinkForest
  /** The forest's clock: every time, timer and random choice of this node. */
  protected readonly clock: Clock
  /** The feed's Ed25519 public key. */
  readonly feedKey: Uint8Array
  /** The feed's name: its public key in base64url (43 characters). Share it; it is all a subscriber needs. */
  readonly key: string
  closed = false
  /** Encoded BLOCK messages by index. */
  protected readonly cache: LRUCache<number, Uint8Array>
  /** The highest block index passed down in a HAVE message. */
  #haveForwarded = -1
  protected readonly nodeOptions: FeedNodeOptions
  /** Answers downstream WANTs within a budget per link. */
  protected readonly wants: WantServer
  /** When something last went down the trees (a block or a HAVE). */
  protected lastForwardAt = 0
  #onFrame = (link: FeedLink, frame: Frame): void => { this.onFrame(link, frame) }
  #onLink = (link: FeedLink): void => { this.onLink(link) }
  #closedBytes = { received: 0, sent: 0 }
  #onUnlink = (link: FeedLink): void => {
    this.#closedBytes.received += link.bytesReceived
    this.#closedBytes.sent += link.bytesSent
    this.onUnlink(link)
  }

  constructor (forest: F, feedKey: Uint8Array, options: FeedNodeOptions) {
    super()
    this.forest = forest
    this.linkEvents = forest as LinkForest
    this.clock = forest.clock
    this.feedKey = feedKey
    this.key = toBase64Url(feedKey)
    this.nodeOptions = options
    this.cache = new LRUCache({ max: options.cacheBlocks })
    this.wants = new WantServer({
      highest: () => this.highest(),
      cached: (i) => this.cache.get(i),
      stored: (i) => this.blockMessage(i),
      missing: (link, indices) => this.wantMissing(link, indices),
      abusive: (link, reason) => this.dropped(link, reason),
      report: (err) => this.report(err)
    }, options.maxWantBlocks, DEFAULT_WANT_BUDGET, this.clock)
    this.linkEvents.on('frame', this.#onFrame)
    this.linkEvents.on('link', this.#onLink)
    this.linkEvents.on('unlink', this.#onUnlink)
  }

  /** The highest block index this node verified (or made), -1 when none: WANTs past it are ignored. */
  protected abstract highest (): number

  /** The encoded BLOCK message for `index`, if this node can produce it. */
  protected abstract blockMessage (index: number): Uint8Array | undefined | Promise<Uint8Array | undefined>

  /** A WANT for blocks this node does not have (a subscriber asks its own upstreams). */
  protected abstract wantMissing (link: FeedLink, indices: number[]): void

  protected abstract onFrame (link: FeedLink, frame: Frame): void

  protected onLink (link: FeedLink): void {
    // Tell a new child where the log ends, so it can ask for what it lacks.
    if (link.direction === 'down') this.sendTo(link, { type: MessageType.HAVE, highest: this.highest() })
  }

  protected onUnlink (link: FeedLink): void {
    this.wants.forget(link)
  }

  /** Reports a peer whose link this node closed for what it did. */
  protected dropped (link: FeedLink, reason: PeerReason): void {
    ;(this as TypedEmitter<ErrorEvents>).emit('invalid', { reason, tree: link.tree, peerID: link.remote })
  }

  /** Bytes received and sent over every link this node had, closed ones included. */
  protected linkBytes (): { received: number, sent: number } {
    let { received, sent } = this.#closedBytes
    for (const link of this.forest.links) {
      received += link.bytesReceived
      sent += link.bytesSent
    }
    return { received, sent }
  }

  protected sendTo (link: FeedLink, message: WireMessage): void {
    link.send(encodeMessage(message))
  }

  /** Sends encoded bytes to every downstream link, in every tree. */
  protected forwardDown (bytes: Uint8Array): void {
    this.lastForwardAt = this.clock.now()
    for (const link of this.forest.links) if (link.direction === 'down') link.send(bytes)
  }

  /**
   * Passes an announced log end down the trees, once per value. Blocks need no HAVE: the
   * forwarded block itself tells the children how far the log goes, and a HAVE per block
   * would double the messages on every link.
   */
  protected passHave (highest: number): void {
    if (highest <= this.#haveForwarded) return
    this.#haveForwarded = highest
    this.forwardDown(encodeMessage({ type: MessageType.HAVE, highest }))
  }

  /** For promises nobody awaits: a failure becomes an `'error'` event, never an unhandled rejection. */
  protected report (err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err))
    ;(this as TypedEmitter<ErrorEvents>).emit('error', error)
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.linkEvents.off('frame', this.#onFrame)
    this.linkEvents.off('link', this.#onLink)
    this.linkEvents.off('unlink', this.#onUnlink)
    this.forest.close()
    this.cache.clear()
  }
}
