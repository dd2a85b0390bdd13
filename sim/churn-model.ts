/**
 * Who leaves when, and who arrives: session lengths (Poisson departures, i.e. exponential
 * sessions, or Weibull sessions of the same mean), a flash crowd, a mass departure. Pure:
 * it draws from the generator it is given and says when; the simulation carries it out.
 */
import type { Rng } from './random.js'

export type SessionModel = 'none' | 'poisson' | 'weibull'

export interface ChurnOptions {
  sessions: SessionModel
  /** Fraction of the peers leaving per minute (0.1: 10 %); sessions last 1 / rate minutes on average. */
  ratePerMin: number
  /** Shape of the Weibull sessions (below 1: many short sessions and a few long ones). */
  weibullShape: number
  /** Every peer that leaves is replaced by a newcomer at once (a steady population). */
  replace: boolean
  /** A flash crowd: `peers` newcomers join over `overMs`, `atMs` after the first append. */
  flash: { atMs: number, peers: number, overMs: number } | null
  /** A mass departure: `fraction` of the peers leave at once, `atMs` after the first append. */
  mass: { atMs: number, fraction: number } | null
  /**
   * Interior departures, as the real churn demo does them: this many peers that forward to
   * someone leave (each replaced by a newcomer), evenly spread over the middle half of the
   * stream (at entries 25 % to 75 %).
   */
  interior: number
  /** 'leave': a departing peer says so (server and neighbours learn at once); 'crash': it vanishes. */
  departure: 'leave' | 'crash'
  /** After a crash, when the server drops the socket and the neighbours' connections fail (ms). */
  crashDetectMs: number
}

/** Mean session length (ms) at this churn rate. */
export function meanSessionMs (ratePerMin: number): number {
  return ratePerMin > 0 ? 60_000 / ratePerMin : Infinity
}

/** One session's length (ms), or Infinity when nobody leaves. */
export function sessionMs (opts: ChurnOptions, rng: Rng): number {
  const mean = meanSessionMs(opts.ratePerMin)
  if (opts.sessions === 'none' || !Number.isFinite(mean)) return Infinity
  if (opts.sessions === 'poisson') return rng.exponential(mean)
  // Weibull with the same mean: scale = mean / Γ(1 + 1/shape).
  return rng.weibull(opts.weibullShape, mean / gamma(1 + 1 / opts.weibullShape))
}

/** Γ(x) for x > 0 (Lanczos, g = 7): enough digits for a Weibull scale. */
export function gamma (x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x))
  const g = 7
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7]
  const z = x - 1
  let a = c[0] as number
  const t = z + g + 0.5
  for (let i = 1; i < g + 2; i++) a += (c[i] as number) / (z + i)
  return Math.sqrt(2 * Math.PI) * Math.pow(t, z + 0.5) * Math.exp(-t) * a
}

/** Which of `ids` leave in a mass departure: `fraction` of them, drawn without replacement. */
export function massDeparture<T> (ids: readonly T[], fraction: number, rng: Rng): T[] {
  const n = Math.round(ids.length * Math.min(1, Math.max(0, fraction)))
  return rng.shuffle([...ids]).slice(0, n)
}

/** Join times (ms from the crowd's start) of a flash crowd of `peers` over `overMs`, in order. */
export function flashTimes (peers: number, overMs: number, rng: Rng): number[] {
  return Array.from({ length: peers }, () => rng.float() * overMs).sort((a, b) => a - b)
}

/** The entries (seqs) at which the interior departures happen: the churn demo's schedule. */
export function interiorAt (departures: number, entries: number): number[] {
  return Array.from({ length: departures }, (_, i) => Math.floor(entries * (0.25 + (0.5 * i) / Math.max(1, departures))))
}
