/**
 * Decides which missing blocks to ask for, and from whom. Pure: the subscriber feeds it
 * the missing ranges, its upstream links and the clock, and sends the WANTs it returns.
 *
 * A block that is missing is not asked for at once: the same block travels down every
 * tree, and another tree usually brings it within milliseconds. It is asked for when
 * - it has been missing for `gapGraceMs` (measured from when the log first reached past it), or
 * - every tree this peer is attached to has already delivered a later block (each tree is
 *   in order, so none of them will bring it), or
 * - it lies below `historyEnd` (history from before this peer joined, which no tree replays).
 * It goes to an upstream whose announced highest block covers it, preferring one it was not
 * asked of before; if none announced it, to any upstream, which asks further up in turn.
 * No upstream is asked past its pace (AskPacer): what is left waits for the next plan.
 */
import type { IndexRange } from '../types.js'
import { AskPacer } from './ask-pacer.js'

export interface PlannerUpstream<L> {
  link: L
  tree: number
  /** Highest block index this upstream announced or sent; -1 when unknown. */
  highest: number
}

export interface WantPlan<L> {
  link: L
  from: number
  to: number
}

export interface BackfillPlannerOptions {
  gapGraceMs: number
  wantTimeoutMs: number
  /** Most blocks in one WANT. */
  wantBatch: number
  /** Most blocks asked for and not yet received at once. */
  maxInFlight: number
}

interface InFlight<L> {
  link: L
  sentAt: number
  tried: Set<L>
}

export class BackfillPlanner<L> {
  readonly options: BackfillPlannerOptions
  /** Below this index, blocks are history: never brought by the trees. */
  historyEnd = 0
  #inFlight = new Map<number, InFlight<L>>()
  /** (highest index known, when it became known), increasing; older than the grace is dropped. */
  #checkpoints: Array<[number, number]> = []
  #settledUpTo = -1
  #rotate = 0
  /** What each upstream may be asked for now (shared with the asks relayed for children). */
  readonly pacer: AskPacer<L>

  constructor (options: BackfillPlannerOptions, pacer: AskPacer<L> = new AskPacer()) {
    this.options = options
    this.pacer = pacer
  }

  get inFlight (): number { return this.#inFlight.size }

  /** The log now knows of blocks up to `highest` (received or announced). */
  noteHighest (highest: number, now: number): void {
    const last = this.#checkpoints[this.#checkpoints.length - 1]
    if (last !== undefined && last[0] >= highest) return
    if (this.#checkpoints.length === 0 && this.#settledUpTo >= highest) return
    this.#checkpoints.push([highest, now])
  }

  /** A block arrived (by any path): it is no longer in flight. */
  received (index: number): void {
    this.#inFlight.delete(index)
  }

  /** A link closed: what was asked of it is asked again elsewhere at the next plan. */
  linkGone (link: L): void {
    this.pacer.forget(link)
    for (const [index, f] of this.#inFlight) if (f.link === link) this.#inFlight.delete(index)
  }

  /**
   * The WANTs to send now. `missing` are the missing ranges (ascending), `treeHighWater` the
   * highest block each attached tree delivered.
   */
  plan (now: number, missing: readonly IndexRange[], upstreams: ReadonlyArray<PlannerUpstream<L>>, treeHighWater: readonly number[]): Array<WantPlan<L>> {
    if (upstreams.length === 0) return []
    const eligibleUpTo = this.#eligibleUpTo(now, treeHighWater)
    const { wantTimeoutMs, wantBatch, maxInFlight } = this.options
    const tried = new Map<number, Set<L>>()
    for (const [index, f] of this.#inFlight) {
      if (now - f.sentAt < wantTimeoutMs) continue
      this.#inFlight.delete(index)
      tried.set(index, f.tried)
    }
    const plans: Array<WantPlan<L>> = []
    for (const [from, to] of missing) {
      if (from > eligibleUpTo) break
      const end = Math.min(to, eligibleUpTo)
      let i = from
      while (i <= end && this.#inFlight.size < maxInFlight) {
        if (this.#inFlight.has(i)) { i++; continue }
        // A run of indices not in flight, at most wantBatch long, all asked of one upstream.
        let j = i
        while (j + 1 <= end && j + 1 - i < wantBatch && !this.#inFlight.has(j + 1) && this.#inFlight.size + (j + 1 - i) < maxInFlight) j++
        const paced = upstreams.filter((u) => this.pacer.available(u.link, now) > 0)
        if (paced.length === 0) return plans // every upstream was asked its fill for now
        const before = tried.get(i) ?? new Set<L>()
        const up = this.#choose(paced, j, before)
        j = i + this.pacer.take(up.link, j - i + 1, now) - 1
        before.add(up.link)
        for (let x = i; x <= j; x++) this.#inFlight.set(x, { link: up.link, sentAt: now, tried: before })
        plans.push({ link: up.link, from: i, to: j })
        i = j + 1
      }
      if (this.#inFlight.size >= maxInFlight) break
    }
    return plans
  }

  #eligibleUpTo (now: number, treeHighWater: readonly number[]): number {
    // Checkpoints older than the grace settle everything up to their index.
    while (this.#checkpoints.length > 0 && now - (this.#checkpoints[0] as [number, number])[1] >= this.options.gapGraceMs) {
      this.#settledUpTo = Math.max(this.#settledUpTo, (this.#checkpoints.shift() as [number, number])[0])
    }
    const passedByAllTrees = treeHighWater.length === 0 ? -1 : Math.min(...treeHighWater) - 1
    return Math.max(this.#settledUpTo, passedByAllTrees, this.historyEnd - 1)
  }

  #choose (upstreams: ReadonlyArray<PlannerUpstream<L>>, to: number, tried: Set<L>): PlannerUpstream<L> {
    const n = upstreams.length
    const start = this.#rotate++ % n
    let fallback: PlannerUpstream<L> | undefined
    for (let k = 0; k < n; k++) {
      const up = upstreams[(start + k) % n] as PlannerUpstream<L>
      const fresh = !tried.has(up.link)
      if (up.highest >= to && fresh) return up
      if (fallback === undefined || (fresh && tried.has(fallback.link))) fallback = up
    }
    return fallback as PlannerUpstream<L>
  }
}
