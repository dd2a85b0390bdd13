/**
 * What the source and every subscriber do for the peers below them: a cache of recent block
 * messages (encoded, ready to send), sending down every tree, answering WANTs, passing the
 * log's end (HAVE) down, and counting the bytes of every link, closed ones included.
 */
import { LRUCache } from 'lru-cache'
import { encodeMessage, MessageType, type WireMessage } from '../wire.js'
import type { PeerReason } from '../errors.js'
import type { Clock } from './clock.js'
import type { FeedLink } from './feed-link.js'
import type { LinkForest } from './link-forest.js'
import { DEFAULT_WANT_BUDGET } from './want-budget.js'
import { WantServer } from './want-server.js'

export interface DownLinksOptions {
  /** Encoded blocks kept in memory to answer WANTs. */
  cacheBlocks: number
  /** Most blocks answered for one WANT (a bigger request is cut; the asker asks again). */
  maxWantBlocks: number
}

/** What the node these links serve knows and decides. */
export interface DownLinksHost {
  /** The highest block index this node verified (or made), -1 when none: WANTs past it are ignored. */
  highest: () => number
  /** The encoded BLOCK message for `index`, if this node can produce it. */
  blockMessage: (index: number) => Uint8Array | undefined | Promise<Uint8Array | undefined>
  /** A WANT for blocks this node does not have (a subscriber asks its own upstreams). */
  wantMissing: (link: FeedLink, indices: number[]) => void
  /** A downstream peer asked past its budget: its link is closed; report it. */
  abusive: (link: FeedLink, reason: PeerReason) => void
  /** For promises nobody awaits. */
  report: (err: unknown) => void
}

export class DownLinks {
  /** Encoded BLOCK messages by index. */
  readonly cache: LRUCache<number, Uint8Array>
  /** Answers downstream WANTs within a budget per link. */
  readonly wants: WantServer
  /** When something last went down the trees (a block or a HAVE). */
  lastForwardAt = 0
  readonly #forest: LinkForest
  readonly #host: DownLinksHost
  readonly #clock: Clock
  /** The highest block index passed down in a HAVE message. */
  #haveForwarded = -1
  #closedBytes = { received: 0, sent: 0 }
  #onLink = (link: FeedLink): void => {
    // Tell a new child where the log ends, so it can ask for what it lacks.
    if (link.direction === 'down') this.sendTo(link, { type: MessageType.HAVE, highest: this.#host.highest() })
  }

  #onUnlink = (link: FeedLink): void => {
    this.#closedBytes.received += link.bytesReceived
    this.#closedBytes.sent += link.bytesSent
    this.wants.forget(link)
  }

  constructor (forest: LinkForest, host: DownLinksHost, options: DownLinksOptions) {
    this.#forest = forest
    this.#host = host
    this.#clock = forest.clock
    this.cache = new LRUCache({ max: options.cacheBlocks })
    this.wants = new WantServer({
      highest: host.highest,
      cached: (i) => this.cache.get(i),
      stored: host.blockMessage,
      missing: host.wantMissing,
      abusive: host.abusive,
      report: host.report
    }, options.maxWantBlocks, DEFAULT_WANT_BUDGET, this.#clock)
    forest.on('link', this.#onLink)
    forest.on('unlink', this.#onUnlink)
  }

  /** Bytes received and sent over every link of the forest, closed ones included. */
  linkBytes (): { received: number, sent: number } {
    let { received, sent } = this.#closedBytes
    for (const link of this.#forest.links) {
      received += link.bytesReceived
      sent += link.bytesSent
    }
    return { received, sent }
  }

  sendTo (link: FeedLink, message: WireMessage): void {
    link.send(encodeMessage(message))
  }

  /** Sends encoded bytes to every downstream link, in every tree. */
  forward (bytes: Uint8Array): void {
    this.lastForwardAt = this.#clock.now()
    for (const link of this.#forest.links) if (link.direction === 'down') link.send(bytes)
  }

  /**
   * Passes an announced log end down the trees, once per value. Blocks need no HAVE: the
   * forwarded block itself tells the children how far the log goes, and a HAVE per block
   * would double the messages on every link.
   */
  passHave (highest: number): void {
    if (highest <= this.#haveForwarded) return
    this.#haveForwarded = highest
    this.forward(encodeMessage({ type: MessageType.HAVE, highest }))
  }

  close (): void {
    this.#forest.off('link', this.#onLink)
    this.#forest.off('unlink', this.#onUnlink)
    this.cache.clear()
  }
}
