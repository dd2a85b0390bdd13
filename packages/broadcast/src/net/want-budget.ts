/**
 * What one downstream link may ask of this peer: blocks and bytes per second (two token
 * buckets), and how often it may be refused before it is dropped. Pure: the clock is passed in.
 *
 * An honest peer is never refused: it paces what it asks of each upstream to these rates with
 * half the bursts (AskPacer). A peer that keeps asking past it is wasting this peer's
 * upload and CPU, and is dropped.
 */
import { TokenBucket } from './token-bucket.js'
import {
  WANT_BUDGET_BLOCKS_PER_S, WANT_BUDGET_BLOCK_BURST, WANT_BUDGET_BYTES_PER_S, WANT_BUDGET_BYTE_BURST,
  WANT_REFUSALS_TO_DROP, WANT_REFUSAL_WINDOW_MS
} from './net-constants.js'

export interface WantBudgetOptions {
  blocksPerSecond: number
  blockBurst: number
  bytesPerSecond: number
  byteBurst: number
  /** Refusals within `refusalWindowMs` that get the link dropped. */
  refusalsToDrop: number
  refusalWindowMs: number
}

export const DEFAULT_WANT_BUDGET: WantBudgetOptions = {
  blocksPerSecond: WANT_BUDGET_BLOCKS_PER_S,
  blockBurst: WANT_BUDGET_BLOCK_BURST,
  bytesPerSecond: WANT_BUDGET_BYTES_PER_S,
  byteBurst: WANT_BUDGET_BYTE_BURST,
  refusalsToDrop: WANT_REFUSALS_TO_DROP,
  refusalWindowMs: WANT_REFUSAL_WINDOW_MS
}

/** What the budget made of one WANT. */
export type WantVerdict = 'granted' | 'refused' | 'drop'

export class WantBudget {
  readonly options: WantBudgetOptions
  #blocks: TokenBucket
  #bytes: TokenBucket
  /** Times of recent refusals, oldest first (at most refusalsToDrop are kept). */
  #refusals: number[] = []
  granted = 0
  refused = 0

  constructor (now: number, options: WantBudgetOptions = DEFAULT_WANT_BUDGET) {
    this.options = options
    this.#blocks = new TokenBucket(options.blocksPerSecond, options.blockBurst, now)
    this.#bytes = new TokenBucket(options.bytesPerSecond, options.byteBurst, now)
  }

  /**
   * A WANT for `blocks` blocks (at least 1 is charged, so even a WANT for nothing costs).
   * Granted when both buckets can pay (bytes only need to be out of debt: a block's size is
   * known once it is read, see `sent`); refused otherwise; 'drop' once refused too often.
   */
  ask (blocks: number, now: number): WantVerdict {
    const cost = Math.max(1, blocks)
    if (this.#bytes.available(now) > 0 && this.#blocks.take(cost, now)) {
      this.granted++
      return 'granted'
    }
    return this.refuse(now)
  }

  /** Refuses a WANT for another reason (too many answers in flight); 'drop' once refused too often. */
  refuse (now: number): WantVerdict {
    this.refused++
    const { refusalsToDrop, refusalWindowMs } = this.options
    this.#refusals.push(now)
    while (this.#refusals.length > refusalsToDrop) this.#refusals.shift()
    const oldest = this.#refusals[0] as number
    return this.#refusals.length >= refusalsToDrop && now - oldest <= refusalWindowMs ? 'drop' : 'refused'
  }

  /** Bytes sent in answer: charged to the byte bucket (it may go into debt). */
  sent (bytes: number, now: number): void {
    this.#bytes.charge(bytes, now)
  }
}
