/**
 * The source-side batcher. `append` numbers entries; when no signature is in flight the
 * pending entries are signed at once (an idle source sends a block of one, no delay); while
 * one is in flight, appends accumulate and the next block takes all of them, up to
 * `maxEntriesPerBlock` and `maxBlockBytes`. Under load, blocks grow; when idle, latency is
 * one signature. Blocks are chained (prevHash, firstSeq) and handed to `onBlock` in order.
 * A restarted source passes the tip of its log to continue it (see {@link tipAfter}).
 */
import { assertBytes, assertInteger, isZero } from './bytes.js'
import { encodeEntry, type EntryValue } from './codec.js'
import {
  DEFAULT_MAX_BLOCK_BYTES,
  DEFAULT_MAX_ENTRIES_PER_BLOCK,
  DEFAULT_MAX_ENTRY_BYTES,
  FEED_KEY_BYTES,
  HASH_BYTES,
  MAX_SAFE_U64,
  SECRET_KEY_BYTES
} from './constants.js'
import type { Signer } from './crypto/ed25519.js'
import { BroadcastError, ErrorCode } from './errors.js'
import { signBlock, type Block, type VerifiedBlock } from './log/block.js'
import { headerHash, zeroHash } from './log/signable.js'
import type { BlockIndex, Seq } from './types.js'

/** Where a log continues: the next block's index, the next entry's seq, the last header's hash. */
export interface LogTip {
  nextIndex: BlockIndex
  nextSeq: Seq
  prevHash: Uint8Array
}

/** The tip after `block`: what a restarted source passes as `tip` to continue the same log. */
export function tipAfter (block: Block): LogTip {
  return { nextIndex: block.index + 1, nextSeq: block.firstSeq + block.count, prevHash: new Uint8Array(headerHash(block.header)) }
}

export interface BlockBuilderOptions {
  /** The feed's public key (written in every header). */
  feedKey: Uint8Array
  /** The feed's 32-byte secret seed. It must match feedKey: nothing checks it here. */
  secretKey: Uint8Array
  signer: Signer
  /** Gets every signed block, in index order. If it throws, that block's appends reject with the error. */
  onBlock: (block: VerifiedBlock) => void
  /** @default 256 */
  maxEntriesPerBlock?: number
  /** Entry bytes per block (a single larger entry gets a block of its own). @default 262144 */
  maxBlockBytes?: number
  /** Largest encoded entry accepted. @default 4194304 */
  maxEntryBytes?: number
  /** Continue an existing log from this tip. @default a new log: { nextIndex: 0, nextSeq: 0, prevHash: zeros } */
  tip?: LogTip
}

/** Where an appended entry landed. */
export interface Appended {
  seq: Seq
  blockIndex: BlockIndex
}

interface Queued {
  bytes: Uint8Array
  seq: Seq
  resolve: (value: Appended) => void
  reject: (err: unknown) => void
}

export class BlockBuilder {
  readonly #feedKey: Uint8Array
  readonly #secretKey: Uint8Array
  readonly #signer: Signer
  readonly #onBlock: (block: VerifiedBlock) => void
  readonly #maxEntriesPerBlock: number
  readonly #maxBlockBytes: number
  readonly #maxEntryBytes: number
  #queue: Queued[] = []
  #head = 0
  #signing = false
  #failure: BroadcastError | undefined
  #nextIndex: BlockIndex
  #nextSeq: Seq
  /** Seq the next append gets (entries queued and in flight are numbered already). */
  #assignSeq: Seq
  #prevHash: Uint8Array
  #idleWaiters: (() => void)[] = []

  constructor (options: BlockBuilderOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object')
    assertBytes(options.feedKey, 'feedKey', FEED_KEY_BYTES)
    assertBytes(options.secretKey, 'secretKey', SECRET_KEY_BYTES)
    if (typeof options.signer?.sign !== 'function') throw new TypeError('signer must have a sign(message, secretKey) method')
    if (typeof options.onBlock !== 'function') throw new TypeError('onBlock must be a function')
    this.#maxEntriesPerBlock = options.maxEntriesPerBlock ?? DEFAULT_MAX_ENTRIES_PER_BLOCK
    this.#maxBlockBytes = options.maxBlockBytes ?? DEFAULT_MAX_BLOCK_BYTES
    this.#maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES
    assertInteger(this.#maxEntriesPerBlock, 'maxEntriesPerBlock', 1, 0xffff_ffff)
    assertInteger(this.#maxBlockBytes, 'maxBlockBytes', 1, MAX_SAFE_U64)
    assertInteger(this.#maxEntryBytes, 'maxEntryBytes', 1, MAX_SAFE_U64)
    const tip = options.tip ?? { nextIndex: 0, nextSeq: 0, prevHash: zeroHash() }
    assertInteger(tip.nextIndex, 'tip.nextIndex', 0, MAX_SAFE_U64)
    assertInteger(tip.nextSeq, 'tip.nextSeq', tip.nextIndex, MAX_SAFE_U64)
    assertBytes(tip.prevHash, 'tip.prevHash', HASH_BYTES)
    if (tip.nextIndex === 0 && (tip.nextSeq !== 0 || !isZero(tip.prevHash))) {
      throw new RangeError('a new log (nextIndex 0) starts at seq 0 with an all-zero prevHash')
    }
    this.#feedKey = new Uint8Array(options.feedKey)
    this.#secretKey = new Uint8Array(options.secretKey)
    this.#signer = options.signer
    this.#onBlock = options.onBlock
    this.#nextIndex = tip.nextIndex
    this.#nextSeq = tip.nextSeq
    this.#assignSeq = tip.nextSeq
    this.#prevHash = new Uint8Array(tip.prevHash)
  }

  /** The tip after the last signed block (entries still queued are not in it). */
  get tip (): LogTip {
    return { nextIndex: this.#nextIndex, nextSeq: this.#nextSeq, prevHash: new Uint8Array(this.#prevHash) }
  }

  /** Entries appended and waiting for a block (not counting those in the block being signed). */
  get pending (): number {
    return this.#queue.length - this.#head
  }

  /**
   * Appends one entry; resolves once its block is signed and handed to onBlock.
   * Rejects with BroadcastError ENCODE_FAILED, ENTRY_TOO_LARGE, or SIGN_FAILED /
   * BUILDER_CLOSED after a signing failure (the builder stops: going on would skip seqs).
   *
   * @example const { seq } = await builder.append({ text: 'hello' })
   */
  append (value: EntryValue): Promise<Appended> {
    if (this.#failure !== undefined) return Promise.reject(new BroadcastError(ErrorCode.BUILDER_CLOSED, undefined, { cause: this.#failure }))
    let bytes: Uint8Array
    try {
      bytes = encodeEntry(value)
    } catch (err) {
      return Promise.reject(err)
    }
    if (bytes.length > this.#maxEntryBytes) {
      return Promise.reject(
        new BroadcastError(ErrorCode.ENTRY_TOO_LARGE, `encoded entry is ${bytes.length} bytes, maxEntryBytes is ${this.#maxEntryBytes}`)
      )
    }
    return new Promise<Appended>((resolve, reject) => {
      this.#queue.push({ bytes, seq: this.#assignSeq++, resolve, reject })
      this.#pump()
    })
  }

  /** Resolves when every entry appended so far is signed (or the builder failed). */
  flush (): Promise<void> {
    if (!this.#signing && this.pending === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  #pump (): void {
    if (this.#signing || this.#failure !== undefined) return
    if (this.pending === 0) {
      this.#compact()
      const waiters = this.#idleWaiters
      this.#idleWaiters = []
      for (const w of waiters) w()
      return
    }
    const batch = this.#takeBatch()
    const index = this.#nextIndex
    const firstSeq = this.#nextSeq
    this.#signing = true
    signBlock(
      { feedKey: this.#feedKey, index, firstSeq, prevHash: this.#prevHash, entries: batch.map((q) => q.bytes) },
      this.#secretKey,
      this.#signer
    ).then(
      (block) => this.#signed(block, batch),
      (err: unknown) => this.#fail(err, batch)
    )
  }

  #takeBatch (): Queued[] {
    const batch: Queued[] = []
    let bytes = 0
    while (this.#head < this.#queue.length && batch.length < this.#maxEntriesPerBlock) {
      const next = this.#queue[this.#head] as Queued
      if (batch.length > 0 && bytes + next.bytes.length > this.#maxBlockBytes) break
      batch.push(next)
      bytes += next.bytes.length
      this.#head++
    }
    // Under sustained load the queue never drains: drop the consumed slots now and then.
    if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    }
    return batch
  }

  #signed (block: VerifiedBlock, batch: Queued[]): void {
    this.#nextIndex = block.index + 1
    this.#nextSeq = block.firstSeq + block.count
    this.#prevHash = headerHash(block.header)
    this.#signing = false
    let handoff: unknown
    let failed = false
    try {
      this.#onBlock(block)
    } catch (err) {
      failed = true
      handoff = err
    }
    for (const q of batch) {
      if (failed) q.reject(handoff)
      else q.resolve({ seq: q.seq, blockIndex: block.index })
    }
    this.#pump()
  }

  #fail (err: unknown, batch: Queued[]): void {
    this.#signing = false
    this.#failure = new BroadcastError(ErrorCode.SIGN_FAILED, undefined, { cause: err })
    for (const q of batch) q.reject(this.#failure)
    for (let i = this.#head; i < this.#queue.length; i++) (this.#queue[i] as Queued).reject(this.#failure)
    this.#queue = []
    this.#head = 0
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    for (const w of waiters) w()
  }

  /** Drops consumed queue slots once the queue drains (keeps shift() off the append path). */
  #compact (): void {
    this.#queue = []
    this.#head = 0
  }
}
