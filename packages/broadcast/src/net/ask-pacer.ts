/**
 * What this peer may ask of each upstream: the asking side of the upstream's WANT budget.
 * A catching-up peer frees its in-flight slots as fast as blocks arrive, so without a pace of
 * its own it would ask far past the 1,024 blocks/s the upstream grants a link, be refused, and
 * after 16 refusals be dropped as abusive, while it only fell behind. Each link gets a token
 * bucket at the upstream's rate with half its burst: the other half absorbs a second of
 * network jitter bunching the asks up on arrival. Own backfill and the asks relayed for
 * children draw on the same bucket, since the upstream counts both. Pure: the clock is passed in.
 */
import { TokenBucket } from './token-bucket.js'
import { WANT_BUDGET_BLOCKS_PER_S, WANT_BUDGET_BLOCK_BURST } from './net-constants.js'

export interface AskPaceOptions {
  blocksPerSecond: number
  blockBurst: number
}

export const DEFAULT_ASK_PACE: AskPaceOptions = {
  blocksPerSecond: WANT_BUDGET_BLOCKS_PER_S,
  blockBurst: WANT_BUDGET_BLOCK_BURST / 2
}

export class AskPacer<L> {
  readonly options: AskPaceOptions
  #buckets = new Map<L, TokenBucket>()

  constructor (options: AskPaceOptions = DEFAULT_ASK_PACE) {
    this.options = options
  }

  /** Whole blocks `link` may be asked for now. */
  available (link: L, now: number): number {
    return Math.floor(this.#bucket(link, now).available(now))
  }

  /** Takes up to `n` blocks of `link`'s pace; returns how many were taken (0 when spent). */
  take (link: L, n: number, now: number): number {
    const got = Math.min(n, this.available(link, now))
    if (got > 0) this.#bucket(link, now).charge(got, now)
    return got
  }

  forget (link: L): void {
    this.#buckets.delete(link)
  }

  #bucket (link: L, now: number): TokenBucket {
    let b = this.#buckets.get(link)
    if (b === undefined) this.#buckets.set(link, (b = new TokenBucket(this.options.blocksPerSecond, this.options.blockBurst, now)))
    return b
  }
}
