/**
 * WANTs of downstream peers for blocks this peer lacks (below its verified highest): who
 * waits for which block, and which of them were asked further up, once per `retryMs`, on the
 * children's behalf. Every table is bounded: the waits by PendingWants (in all and per link),
 * the upward asks by the waits they serve.
 */
import { PendingWants } from './pending-wants.js'

export interface RelayWantsOptions {
  maxWaits: number
  maxWaitsPerLink: number
  ttlMs: number
  /** An index asked further up is asked again after this long if still wanted. */
  retryMs: number
}

export class RelayWants<L> {
  readonly pending: PendingWants<L>
  #retryMs: number
  /** Index -> when it was asked further up; insertion order is time order. */
  #asked = new Map<number, number>()

  constructor (opts: RelayWantsOptions) {
    this.pending = new PendingWants<L>(opts.maxWaits, opts.ttlMs, opts.maxWaitsPerLink)
    this.#retryMs = opts.retryMs
  }

  /** Upward asks in flight now (at most the number of waits, plus those not yet expired). */
  get asked (): number { return this.#asked.size }

  /**
   * `link` waits for `indices` (ascending). Returns the runs to ask further up now: those
   * not asked within `retryMs`. Stops at the first wait the table refuses.
   */
  want (link: L, indices: readonly number[], now: number): Array<[number, number]> {
    this.#forgetOld(now)
    const ask: number[] = []
    for (const i of indices) {
      if (!this.pending.add(i, link, now)) break
      const at = this.#asked.get(i)
      if (at !== undefined && now - at < this.#retryMs) continue
      this.#asked.delete(i)
      this.#asked.set(i, now)
      ask.push(i)
    }
    return runs(ask)
  }

  /** True when this peer asked for `index` on a child's behalf and it has not come yet. */
  has (index: number): boolean {
    return this.#asked.has(index) || this.pending.has(index)
  }

  /** Block `index` arrived: the links that waited for it (now removed). */
  arrived (index: number): L[] {
    this.#asked.delete(index)
    return this.pending.take(index)
  }

  drop (link: L): void {
    this.pending.drop(link)
  }

  #forgetOld (now: number): void {
    for (const [i, at] of this.#asked) {
      if (now - at < this.#retryMs) return
      this.#asked.delete(i)
    }
  }
}

/** Consecutive runs of sorted indices as [from, to] ranges. */
export function runs (sorted: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const i of sorted) {
    const last = out[out.length - 1]
    if (last !== undefined && last[1] + 1 === i) last[1] = i
    else out.push([i, i])
  }
  return out
}
