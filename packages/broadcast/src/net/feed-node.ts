/**
 * What the source and every subscriber share: the forest of links, a cache of recent block
 * messages (encoded, ready to send), answering WANTs from downstream peers, and passing the
 * log's end (HAVE) down the trees.
 */
import { TypedEmitter, toBase64Url, type EventMap } from 'peer-tree-client'
import { LRUCache } from 'lru-cache'
import { encodeMessage, MessageType, type WireMessage } from '../wire.js'
import type { Frame } from '../reassembler.js'
import type { FeedLink } from './feed-link.js'
import type { Forest } from './forest.js'

export interface FeedNodeOptions {
  /** Encoded blocks kept in memory to answer WANTs. */
  cacheBlocks: number
  /** Most blocks answered for one WANT (a bigger request is cut; the asker asks again). */
  maxWantBlocks: number
}

/** Every feed node reports failures nobody awaits as `'error'`. */
interface ErrorEvents { error: (err: Error) => void }

export abstract class FeedNode<Events extends EventMap<Events> & ErrorEvents> extends TypedEmitter<Events> {
  readonly forest: Forest
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
  #onFrame = (link: FeedLink, frame: Frame): void => { this.onFrame(link, frame) }
  #onLink = (link: FeedLink): void => { this.onLink(link) }
  #closedBytes = { received: 0, sent: 0 }
  #onUnlink = (link: FeedLink): void => {
    this.#closedBytes.received += link.bytesReceived
    this.#closedBytes.sent += link.bytesSent
    this.onUnlink(link)
  }

  constructor (forest: Forest, feedKey: Uint8Array, options: FeedNodeOptions) {
    super()
    this.forest = forest
    this.feedKey = feedKey
    this.key = toBase64Url(feedKey)
    this.nodeOptions = options
    this.cache = new LRUCache({ max: options.cacheBlocks })
    forest.on('frame', this.#onFrame)
    forest.on('link', this.#onLink)
    forest.on('unlink', this.#onUnlink)
  }

  /** The highest block index this node holds, -1 when none. */
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

  protected onUnlink (_link: FeedLink): void {}

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

  /**
   * Answers a WANT from a downstream peer: what it has now, the rest when it arrives.
   * Resolves with the number of blocks sent now.
   */
  protected async answerWant (link: FeedLink, from: number, to: number): Promise<number> {
    const last = Math.min(to, from + this.nodeOptions.maxWantBlocks - 1)
    const missing: number[] = []
    let sent = 0
    for (let i = from; i <= last && !link.closed; i++) {
      const bytes = this.cache.get(i) ?? await this.blockMessage(i)
      if (bytes === undefined) missing.push(i)
      else if (link.send(bytes)) sent++
    }
    if (missing.length > 0 && !link.closed) this.wantMissing(link, missing)
    return sent
  }

  /** For promises nobody awaits: a failure becomes an `'error'` event, never an unhandled rejection. */
  protected report (err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err))
    ;(this as TypedEmitter<ErrorEvents>).emit('error', error)
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.forest.off('frame', this.#onFrame)
    this.forest.off('link', this.#onLink)
    this.forest.off('unlink', this.#onUnlink)
    this.forest.close()
    this.cache.clear()
  }
}
