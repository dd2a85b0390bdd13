/**
 * A latency histogram in 1 ms bins up to `maxMs` (an overflow bin beyond), so that a run of
 * 10^8 deliveries keeps a fixed few hundred kilobytes and still gives exact-to-the-ms
 * quantiles.
 */
export class Histogram {
  readonly #bins: Uint32Array
  count = 0
  sum = 0
  max = 0

  constructor (maxMs = 60_000) {
    this.#bins = new Uint32Array(maxMs + 2)
  }

  add (ms: number): void {
    const i = ms < 0 ? 0 : Math.min(this.#bins.length - 1, Math.floor(ms))
    this.#bins[i] = (this.#bins[i] as number) + 1
    this.count++
    this.sum += ms
    if (ms > this.max) this.max = ms
  }

  /** Adds every sample of `other`. */
  merge (other: Histogram): void {
    const a = this.#bins
    const b = other.#bins
    for (let i = 0; i < a.length && i < b.length; i++) a[i] = (a[i] as number) + (b[i] as number)
    this.count += other.count
    this.sum += other.sum
    this.max = Math.max(this.max, other.max)
  }

  /** The q-quantile (0..1) in ms, to the upper edge of its bin; NaN when empty. */
  quantile (q: number): number {
    if (this.count === 0) return NaN
    const rank = Math.max(1, Math.ceil(q * this.count))
    let seen = 0
    for (let i = 0; i < this.#bins.length; i++) {
      seen += this.#bins[i] as number
      if (seen >= rank) return i === this.#bins.length - 1 ? this.max : i + 1
    }
    return this.max
  }

  /** Share of samples at or under `ms`. */
  within (ms: number): number {
    if (this.count === 0) return NaN
    let n = 0
    const top = Math.min(this.#bins.length - 1, Math.floor(ms))
    for (let i = 0; i < top; i++) n += this.#bins[i] as number
    return n / this.count
  }
}

/** Quantiles of a plain list of numbers (small lists: repair times, upload per peer). */
export function quantiles (xs: number[], qs: number[]): number[] {
  if (xs.length === 0) return qs.map(() => NaN)
  const sorted = Float64Array.from(xs).sort()
  return qs.map((q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number)
}
