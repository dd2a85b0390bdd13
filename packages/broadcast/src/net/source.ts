/**
 * The source of a feed: signs entries into blocks (a block of one when idle, batches under
 * load), sends each block down every tree, answers WANTs from its archive, and says where
 * the log ends when it is idle so a lost last block is noticed.
 */
import { BlockBuilder, tipAfter, type Appended } from '../block-builder.js'
import type { EntryValue } from '../codec.js'
import type { Ed25519, KeyPair } from '../crypto/ed25519.js'
import { parseBlock, type VerifiedBlock } from '../log/block.js'
import { BroadcastError, ErrorCode, toError, type InvalidReport } from '../errors.js'
import type { Frame } from '../reassembler.js'
import { encodeMessage, MessageType } from '../wire.js'
import { exportStore, storedBlock, type BlockStore } from './block-store.js'
import type { FeedLink } from './feed-link.js'
import { TypedEmitter, toBase64Url } from 'peer-tree-client'
import type { Clock, ClockTimer } from './clock.js'
import { DownLinks } from './down-links.js'
import type { Forest } from './forest.js'
import type { AnyLinkForest, LinkForest } from './link-forest.js'

export interface SourceStats {
  /** Entries appended and signed. */
  entries: number
  blocks: number
  /** Blocks sent in answer to WANTs. */
  served: number
  /** WANTs refused: over a link's budget (blocks and bytes per second). */
  refused: number
  /** WANTs for blocks past the log's end (nothing to send). */
  ignored: number
  bytesSent: number
  /** Downstream links now, over all trees. */
  children: number
}

export interface SourceEvents {
  error: (err: Error) => void
  /** A downstream peer was dropped for what it did (`WANT_BUDGET_EXCEEDED`: it kept asking past its budget). */
  invalid: (report: InvalidReport) => void
}

export interface SourceOptions {
  haveIntervalMs: number
  cacheBlocks: number
  maxWantBlocks: number
  maxEntriesPerBlock?: number
  maxBlockBytes?: number
}

/** A feed's source; `F` is what carries its links (a signalled Forest, from Feed.create). */
export class Source<F extends AnyLinkForest = Forest> extends TypedEmitter<SourceEvents> {
  /** The source's links; a signalled Forest for Feed.create. */
  readonly forest: F
  /** The feed's Ed25519 public key. */
  readonly feedKey: Uint8Array
  /** The feed's name: its public key in base64url (43 characters). Share it; it is all a subscriber needs. */
  readonly key: string
  closed = false
  #clock: Clock
  #down: DownLinks
  #builder: BlockBuilder
  #store: BlockStore
  #stats = { entries: 0, blocks: 0 }
  /** The index of the last block made, -1 before the first. */
  #tip = -1
  #heartbeat: ClockTimer
  #writes: Promise<void> = Promise.resolve()

  private constructor (forest: F, keyPair: KeyPair, ed25519: Ed25519, store: BlockStore, tip: ReturnType<typeof tipAfter> | undefined, opts: SourceOptions) {
    super()
    this.forest = forest
    this.feedKey = keyPair.publicKey
    this.key = toBase64Url(keyPair.publicKey)
    this.#clock = forest.clock
    const links = forest as LinkForest
    this.#down = new DownLinks(links, {
      highest: () => this.#tip,
      blockMessage: (i) => i < 0 || i >= this.#store.length ? undefined : this.#store.get(i),
      // The source has every block it made; an index past its end does not exist yet.
      wantMissing: () => {},
      abusive: (link, reason) => this.emit('invalid', { reason, tree: link.tree, peerID: link.remote }),
      report: (err) => this.#report(err)
    }, { cacheBlocks: opts.cacheBlocks, maxWantBlocks: opts.maxWantBlocks })
    links.on('frame', this.#onFrame)
    this.#store = store
    this.#builder = new BlockBuilder({
      feedKey: keyPair.publicKey,
      secretKey: keyPair.secretKey,
      signer: ed25519,
      onBlock: (block) => this.#onBlock(block),
      ...(tip !== undefined && { tip }),
      ...(opts.maxEntriesPerBlock !== undefined && { maxEntriesPerBlock: opts.maxEntriesPerBlock }),
      ...(opts.maxBlockBytes !== undefined && { maxBlockBytes: opts.maxBlockBytes })
    })
    this.#tip = store.length - 1
    this.#heartbeat = this.#clock.setInterval(() => {
      // Also before the first block (HAVE -1): an upstream silent for long is dropped by its children.
      if (this.#clock.now() - this.#down.lastForwardAt < opts.haveIntervalMs) return
      this.#down.forward(encodeMessage({ type: MessageType.HAVE, highest: this.#tip }))
    }, opts.haveIntervalMs)
  }

  /** Opens a source over `store`, continuing the log it holds (a restart) or starting one. */
  static async open<F extends AnyLinkForest> (forest: F, keyPair: KeyPair, ed25519: Ed25519, store: BlockStore, opts: SourceOptions): Promise<Source<F>> {
    let tip
    if (store.length > 0) {
      const last = await storedBlock(store, store.length - 1)
      const parsed = last === undefined ? undefined : parseBlock(last)
      if (parsed?.ok !== true) throw new BroadcastError(ErrorCode.ARCHIVE_CORRUPT)
      tip = tipAfter(parsed.block)
    }
    return new Source(forest, keyPair, ed25519, store, tip, opts)
  }

  /** Appends one entry (bytes or any msgpack-encodable value); resolves once it is signed and sent. */
  append (value: EntryValue): Promise<Appended> {
    if (this.closed) return Promise.reject(new BroadcastError(ErrorCode.FEED_CLOSED))
    this.#stats.entries++
    return this.#builder.append(value)
  }

  /** Resolves once every block made so far is in the store (the archive, if there is one). */
  async flush (): Promise<void> {
    await this.#builder.flush()
    await this.#writes
  }

  stats (): SourceStats {
    const { served, refused, ignored } = this.#down.wants.stats
    return { ...this.#stats, served, refused, ignored, bytesSent: this.#down.linkBytes().sent, children: this.forest.downstreams().length }
  }

  /** Every block of the log, as bytes that `verifyLog(bytes, key)` checks. */
  async export (): Promise<Uint8Array> {
    await this.flush()
    return await exportStore(this.#store, this.feedKey)
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.#clock.clear(this.#heartbeat)
    ;(this.forest as LinkForest).off('frame', this.#onFrame)
    this.#down.close()
    this.forest.close()
  }

  /** Closes the source and its store once everything is written. */
  async closeAndFlush (): Promise<void> {
    await this.flush().catch(() => {})
    this.close()
    await this.#store.close()
  }

  /** Only WANTs from below mean anything to the source. */
  #onFrame = (link: FeedLink, frame: Frame): void => {
    const { message } = frame
    if (message.type !== MessageType.WANT || link.direction !== 'down') return
    this.#down.wants.onWant(link, message.from, message.to)
  }

  /** For promises nobody awaits: a failure becomes an `'error'` event, never an unhandled rejection. */
  #report (err: unknown): void {
    this.emit('error', toError(err))
  }

  #onBlock (block: VerifiedBlock): void {
    const bytes = encodeMessage({ type: MessageType.BLOCK, block })
    this.#stats.blocks++
    this.#down.cache.set(block.index, bytes)
    this.#down.forward(bytes)
    this.#tip = block.index
    const write = this.#store.append(block.index, bytes)
    this.#writes = this.#writes.then(() => write).catch((err: unknown) => this.#report(err))
  }
}
