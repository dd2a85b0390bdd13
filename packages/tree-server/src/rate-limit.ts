/**
 * A token bucket: `rate` tokens per second, holding at most `burst`. Refilled lazily from
 * the clock on each take, so it needs no timer. `rate = Infinity` never refuses.
 */
export class TokenBucket {
  readonly #rate: number
  readonly #burst: number
  readonly #now: () => number
  #tokens: number
  #last: number

  constructor (rate: number, burst: number, now: () => number = Date.now) {
    this.#rate = rate
    this.#burst = burst
    this.#now = now
    this.#tokens = burst
    this.#last = now()
  }

  /** Take one token; false if the bucket is empty. */
  take (): boolean {
    if (this.#rate === Infinity) return true
    const t = this.#now()
    // A clock that goes backwards adds nothing (and removes nothing).
    const elapsed = Math.max(0, t - this.#last)
    this.#last = t
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed / 1000) * this.#rate)
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}
