/**
 * A token bucket: `rate` tokens a second, at most `burst` held. Pure: the clock is passed in,
 * so a test drives it by hand. Tokens may go into debt with `charge` (a cost known only after
 * the work, such as a block's size once it is read); `take` then refuses until it is paid back.
 */
export class TokenBucket {
  readonly rate: number
  readonly burst: number
  #tokens: number
  #at: number

  constructor (rate: number, burst: number, now: number) {
    if (!(rate > 0) || !(burst > 0)) throw new RangeError('rate and burst must be positive')
    this.rate = rate
    this.burst = burst
    this.#tokens = burst
    this.#at = now
  }

  /** Tokens available at `now` (negative while in debt). */
  available (now: number): number {
    if (now > this.#at) {
      this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) / 1000) * this.rate)
      this.#at = now
    }
    return this.#tokens
  }

  /** Takes `n` tokens if there are that many; false (and nothing taken) otherwise. */
  take (n: number, now: number): boolean {
    if (this.available(now) < n) return false
    this.#tokens -= n
    return true
  }

  /** Takes `n` tokens whatever is left: the bucket may go into debt. */
  charge (n: number, now: number): void {
    this.available(now)
    this.#tokens -= n
  }
}
