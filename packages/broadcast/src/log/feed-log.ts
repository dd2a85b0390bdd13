/**
 * The per-feed state a peer keeps: verified blocks in any order, chain links checked as
 * soon as a block's neighbour is present, forks detected and kept as evidence, and entries
 * delivered strictly in order as the contiguous prefix grows.
 *
 * Pure and synchronous: blocks come in already verified (VerifiedBlock, from verifyBlock);
 * entries go out through `onEntry`. Once a fork is seen the feed is untrusted: nothing more
 * is accepted or delivered, the evidence stays available (and in exportLog's output).
 */
import { assertBytes, assertInteger, equalBytes } from '../bytes.js'
import { FEED_KEY_BYTES, MAX_SAFE_U64 } from '../constants.js'
import { VerifyReason } from '../errors.js'
import { GapTracker } from '../gap-tracker.js'
import type { BlockIndex, IndexRange, Seq } from '../types.js'
import type { Block, VerifiedBlock } from './block.js'
import { headerHash } from './signable.js'

/** One entry handed to the application, in sequence order, without gaps. */
export interface DeliveredEntry {
  seq: Seq
  /** The entry's encoded bytes (decodeEntry gives the value); a view into the block. */
  data: Uint8Array
  blockIndex: BlockIndex
}

/**
 * Proof that the source signed two incompatible things. Both blocks verify under the feed key.
 * - `same-index`: two different blocks for `index`.
 * - `chain`: `blocks[0]` is block `index`, `blocks[1]` block `index + 1`, and the second's
 *   prevHash is not the hash of the first's header, or its firstSeq does not follow.
 */
export interface ForkEvidence {
  kind: 'same-index' | 'chain'
  index: BlockIndex
  blocks: readonly [VerifiedBlock, VerifiedBlock]
}

export interface FeedLogOptions {
  /** Called once per entry, in order, as the contiguous prefix grows. */
  onEntry?: (entry: DeliveredEntry) => void
  /** Called once, when the first fork is found. */
  onFork?: (evidence: ForkEvidence) => void
  /** Gets what `onEntry` / `onFork` throw (delivery goes on); without it such errors are dropped. */
  onError?: (error: unknown) => void
  /**
   * Blocks kept: `'all'` (a full replica; exportLog needs them), or at most `maxBlocks`
   * already-delivered blocks (a subscriber that is not a replica). Blocks not yet delivered
   * are always kept: they are needed once the gap before them fills.
   * @default 'all'
   */
  retention?: 'all' | { maxBlocks: number }
  /** First block index of interest (a subscriber joining late); earlier blocks are ignored. @default 0 */
  startIndex?: BlockIndex
}

export type AddResult =
  /** Stored; `delivered` entries went to onEntry because of it. */
  | { status: 'added'; delivered: number }
  /** The same block is already stored. */
  | { status: 'duplicate' }
  /** Already received and since evicted (bounded retention), or below startIndex. */
  | { status: 'stale' }
  /** This block proves a fork; the feed is now untrusted. */
  | { status: 'fork'; evidence: ForkEvidence }
  /** The feed forked earlier; nothing is accepted any more. */
  | { status: 'untrusted' }
  /** The block belongs to another feed. */
  | { status: 'rejected'; reason: typeof VerifyReason.WRONG_FEED }

interface Stored {
  block: VerifiedBlock
  /** SHA-256 of the header, computed when a successor needs it. */
  hash?: Uint8Array
}

export class FeedLog {
  readonly feedKey: Uint8Array
  readonly startIndex: BlockIndex
  readonly #stored = new Map<BlockIndex, Stored>()
  /** Indices ever received and accepted (gaps and the prefix come from here). */
  readonly #received: GapTracker
  /** Indices stored now; differs from `received` only with bounded retention. */
  readonly #storedRanges: GapTracker
  readonly #maxBlocks: number
  readonly #evidence: ForkEvidence[] = []
  readonly #options: FeedLogOptions
  #deliverIndex: BlockIndex
  #deliverSeq: Seq | undefined
  #evictIndex: BlockIndex
  #delivering = false

  constructor (feedKey: Uint8Array, options: FeedLogOptions = {}) {
    assertBytes(feedKey, 'feedKey', FEED_KEY_BYTES)
    const startIndex = options.startIndex ?? 0
    assertInteger(startIndex, 'startIndex', 0, MAX_SAFE_U64)
    const retention = options.retention ?? 'all'
    if (retention === 'all') this.#maxBlocks = Infinity
    else {
      assertInteger(retention?.maxBlocks, 'retention.maxBlocks', 1, MAX_SAFE_U64)
      this.#maxBlocks = retention.maxBlocks
    }
    for (const name of ['onEntry', 'onFork', 'onError'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'function') throw new TypeError(`${name} must be a function`)
    }
    this.feedKey = new Uint8Array(feedKey)
    this.startIndex = startIndex
    this.#options = options
    this.#received = new GapTracker({ floor: startIndex })
    this.#storedRanges = new GapTracker({ floor: startIndex })
    this.#deliverIndex = startIndex
    this.#evictIndex = startIndex
  }

  /** False once a fork was found. */
  get trusted (): boolean {
    return this.#evidence.length === 0
  }

  /** Fork evidence found so far (empty while trusted). */
  get forks (): readonly ForkEvidence[] {
    return this.#evidence
  }

  /** Next block index to deliver: every block before it (from startIndex) was delivered. */
  get deliveredBlocks (): BlockIndex {
    return this.#deliverIndex
  }

  /** Sequence number of the next entry to deliver (undefined before the first delivery when startIndex > 0). */
  get nextSeq (): Seq | undefined {
    return this.#deliverIndex === 0 ? 0 : this.#deliverSeq
  }

  /** Highest block index held or announced, -1 when none. */
  get highestSeen (): BlockIndex {
    return this.#received.highestSeen
  }

  /** Number of blocks stored now. */
  get size (): number {
    return this.#stored.size
  }

  /** Notes a peer's HAVE: blocks up to `index` exist, so those not received are missing. */
  announce (index: BlockIndex): void {
    this.#received.announce(index)
  }

  /** Missing block ranges between startIndex and the highest index seen (at most `limit`). */
  missing (limit?: number): IndexRange[] {
    return this.#received.missing(limit)
  }

  /** Ranges of blocks stored now (what this peer can serve; a HAVE's ranges). */
  ranges (limit?: number): IndexRange[] {
    return this.#storedRanges.ranges(limit)
  }

  /** True when block `index` was received (stored or since evicted). */
  isReceived (index: BlockIndex): boolean {
    return this.#received.has(index)
  }

  /** The stored block at `index`. */
  get (index: BlockIndex): VerifiedBlock | undefined {
    return this.#stored.get(index)?.block
  }

  /** True when the stored block at `index` has this signature: a copy, no need to verify it. */
  hasBlock (index: BlockIndex, signature: Uint8Array): boolean {
    const s = this.#stored.get(index)
    return s !== undefined && equalBytes(s.block.signature, signature)
  }

  /** Stored blocks in index order. */
  * blocks (): IterableIterator<VerifiedBlock> {
    for (const [from, to] of this.#storedRanges.ranges()) {
      for (let i = from; i <= to; i++) {
        const s = this.#stored.get(i)
        if (s !== undefined) yield s.block
      }
    }
  }

  /**
   * Adds a verified block: stores it, checks the chain against present neighbours, detects
   * forks, delivers what became contiguous. Never throws for a block of this feed.
   */
  add (block: VerifiedBlock): AddResult {
    if (typeof block !== 'object' || block === null || !(block.header instanceof Uint8Array) || !(block.feedKey instanceof Uint8Array)) {
      throw new TypeError('add expects a VerifiedBlock (from verifyBlock or signBlock)')
    }
    if (!this.trusted) return { status: 'untrusted' }
    if (!equalBytes(block.feedKey, this.feedKey)) return { status: 'rejected', reason: VerifyReason.WRONG_FEED }
    const { index } = block
    if (index < this.startIndex) return { status: 'stale' }
    const existing = this.#stored.get(index)
    if (existing !== undefined) {
      if (equalBytes(existing.block.header, block.header)) return { status: 'duplicate' }
      return this.#fork({ kind: 'same-index', index, blocks: [existing.block, block] })
    }
    if (this.#received.has(index)) return { status: 'stale' }
    const record: Stored = { block }
    const prev = this.#stored.get(index - 1)
    if (prev !== undefined && !this.#links(prev, block)) {
      return this.#fork({ kind: 'chain', index: index - 1, blocks: [prev.block, block] })
    }
    const next = this.#stored.get(index + 1)
    if (next !== undefined && !this.#links(record, next.block)) {
      return this.#fork({ kind: 'chain', index, blocks: [block, next.block] })
    }
    this.#stored.set(index, record)
    this.#received.add(index)
    this.#storedRanges.add(index)
    const delivered = this.#deliver()
    this.#evict()
    return { status: 'added', delivered }
  }

  /** True when `b` (block a.index + 1) follows `a`: prevHash and firstSeq. */
  #links (a: Stored, b: Block): boolean {
    a.hash ??= headerHash(a.block.header)
    return equalBytes(b.prevHash, a.hash) && b.firstSeq === a.block.firstSeq + a.block.count
  }

  #fork (evidence: ForkEvidence): AddResult {
    this.#evidence.push(evidence)
    this.#call(this.#options.onFork, evidence)
    return { status: 'fork', evidence }
  }

  #deliver (): number {
    // A block added from inside onEntry is delivered by the loop already running.
    if (this.#delivering) return 0
    this.#delivering = true
    let delivered = 0
    try {
      const onEntry = this.#options.onEntry
      for (;;) {
        if (!this.trusted) break
        const s = this.#stored.get(this.#deliverIndex)
        if (s === undefined) break
        const { block } = s
        this.#deliverIndex++
        this.#deliverSeq = block.firstSeq + block.count
        if (onEntry !== undefined) {
          for (let i = 0; i < block.count; i++) {
            this.#call(onEntry, { seq: block.firstSeq + i, data: block.entries[i] as Uint8Array, blockIndex: block.index })
          }
        }
        delivered += block.count
      }
    } finally {
      this.#delivering = false
    }
    return delivered
  }

  /**
   * Keeps the last maxBlocks delivered blocks (stored delivered blocks are exactly
   * [evictIndex, deliverIndex - 1]); maxBlocks >= 1 keeps the one the next block links to.
   */
  #evict (): void {
    while (this.#deliverIndex - this.#evictIndex > this.#maxBlocks) {
      if (this.#stored.delete(this.#evictIndex)) this.#storedRanges.delete(this.#evictIndex)
      this.#evictIndex++
    }
  }

  #call<T>(fn: ((arg: T) => void) | undefined, arg: T): void {
    if (fn === undefined) return
    try {
      fn(arg)
    } catch (err) {
      try {
        this.#options.onError?.(err)
      } catch {
        // an error handler that throws has nowhere left to go
      }
    }
  }
}
