/**
 * What this peer may ask of each upstream: the asking side of the upstream's WANT budget
 * (blocks and bytes per second). A catching-up peer frees its in-flight slots as fast as
 * blocks arrive, so without a pace of its own it would ask far past what the upstream grants
 * a link, be refused, and after 16 refusals be dropped as abusive, while it only fell behind.
 * Each link gets two token buckets at the upstream's rates with half its bursts: the other
 * half absorbs network jitter bunching the asks up on arrival. A block's size is known only
 * once it arrives, so an ask is charged at the link's last answered block size (the largest
 * block a source makes until one arrived), and one that proves bigger is charged the rest. Own
 * backfill and the asks relayed for children draw on the same buckets, since the upstream
 * counts both. Pure: the clock is passed in.
 */
import { TokenBucket } from './token-bucket.js'
import { DEFAULT_MAX_BLOCK_BYTES } from '../constants.js'
import { WANT_BUDGET_BLOCKS_PER_S, WANT_BUDGET_BLOCK_BURST, WANT_BUDGET_BYTES_PER_S, WANT_BUDGET_BYTE_BURST } from './net-constants.js'

export interface AskPaceOptions {
  blocksPerSecond: number
  blockBurst: number
  bytesPerSecond: number
  byteBurst: number
}

export const DEFAULT_ASK_PACE: AskPaceOptions = {
  blocksPerSecond: WANT_BUDGET_BLOCKS_PER_S,
  blockBurst: WANT_BUDGET_BLOCK_BURST / 2,
  bytesPerSecond: WANT_BUDGET_BYTES_PER_S,
  byteBurst: WANT_BUDGET_BYTE_BURST / 2
}

interface Pace {
  blocks: TokenBucket
  bytes: TokenBucket
  /** What one block from this link is taken to weigh until the next answer says otherwise. */
  blockBytes: number
}

export class AskPacer<L> {
  readonly options: AskPaceOptions
  #links = new Map<L, Pace>()

  constructor (options: AskPaceOptions = DEFAULT_ASK_PACE) {
    this.options = options
  }

  /** Whole blocks `link` may be asked for now (at least 1 while its bytes are out of debt). */
  available (link: L, now: number): number {
    const p = this.#pace(link, now)
    const bytes = p.bytes.available(now)
    if (bytes <= 0) return 0
    return Math.floor(Math.min(p.blocks.available(now), Math.max(1, bytes / p.blockBytes)))
  }

  /** Takes up to `n` blocks of `link`'s pace; returns how many were taken (0 when spent). */
  take (link: L, n: number, now: number): number {
    const got = Math.min(n, this.available(link, now))
    if (got <= 0) return 0
    const p = this.#pace(link, now)
    p.blocks.charge(got, now)
    p.bytes.charge(got * p.blockBytes, now)
    return got
  }

  /**
   * A block this peer asked for arrived from `link`, `bytes` long: a block bigger than its ask
   * was charged for is charged the rest; a smaller one gives nothing back (it may have come
   * from another link than the one asked), and the next asks are charged at its size.
   */
  answered (link: L, bytes: number, now: number): void {
    const p = this.#links.get(link)
    if (p === undefined) return
    if (bytes > p.blockBytes) p.bytes.charge(bytes - p.blockBytes, now)
    p.blockBytes = Math.max(1, bytes)
  }

  forget (link: L): void {
    this.#links.delete(link)
  }

  #pace (link: L, now: number): Pace {
    let p = this.#links.get(link)
    if (p === undefined) {
      const o = this.options
      p = { blocks: new TokenBucket(o.blocksPerSecond, o.blockBurst, now), bytes: new TokenBucket(o.bytesPerSecond, o.byteBurst, now), blockBytes: DEFAULT_MAX_BLOCK_BYTES }
      this.#links.set(link, p)
    }
    return p
  }
}
