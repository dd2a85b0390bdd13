/**
 * Seeded chance for the simulator (pure-rand's xoroshiro128+): one root stream per run, and
 * an independent stream per concern (network, churn, each peer) taken by jumping 2^64 steps,
 * so that adding a draw in one place does not shift every other draw of the run.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator'

type Jumpable = JumpableRandomGenerator

export class Rng {
  readonly #g: Jumpable

  constructor (seedOrGenerator: number | Jumpable) {
    this.#g = typeof seedOrGenerator === 'number' ? xoroshiro128plus(seedOrGenerator) : seedOrGenerator
  }

  /** An independent stream: this one moves on 2^64 steps, the new one starts where it was. */
  fork (): Rng {
    const child = new Rng(this.#g.clone())
    this.#g.jump()
    return child
  }

  /** Uniform in [0, 1). */
  float (): number {
    return uniformFloat64(this.#g)
  }

  /** Uniform integer in [0, n). */
  int (n: number): number {
    return Math.floor(this.float() * n)
  }

  pick<T> (xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T
  }

  /** Exponential with this mean. */
  exponential (mean: number): number {
    return -mean * Math.log(1 - this.float())
  }

  /** Standard normal (Box-Muller). */
  normal (): number {
    const u = 1 - this.float()
    const v = this.float()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }

  /** Log-normal with this median and shape σ (of the underlying normal). */
  lognormal (median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal())
  }

  /** Weibull with this shape k and scale λ. */
  weibull (shape: number, scale: number): number {
    return scale * Math.pow(-Math.log(1 - this.float()), 1 / shape)
  }

  /** Fisher-Yates, in place. */
  shuffle<T> (xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      const t = xs[i] as T
      xs[i] = xs[j] as T
      xs[j] = t
    }
    return xs
  }
}
