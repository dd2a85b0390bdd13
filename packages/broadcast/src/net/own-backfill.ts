/**
 * What this peer asks for itself: each round, the log's missing ranges up to the believed end
 * of the log go through the BackfillPlanner; the indices asked for are remembered, so that a
 * block arriving for them counts as backfilled (and one fetched for a child does not), and so
 * that a range is announced as a gap once.
 */
import type { FeedLog } from '../log/feed-log.js'
import type { IndexRange } from '../types.js'
import type { AskPacer } from './ask-pacer.js'
import { BackfillPlanner, type BackfillPlannerOptions, type PlannerUpstream, type WantPlan } from './backfill-planner.js'

export interface BackfillRound<L> {
  wants: Array<WantPlan<L>>
  /** Ranges asked for the first time. */
  gaps: IndexRange[]
}

/** Missing ranges looked at per round. */
const RANGES_PER_ROUND = 64

export class OwnBackfill<L> {
  readonly planner: BackfillPlanner<L>
  /** Indices this peer asked for and has not received. */
  #asked = new Set<number>()
  /** The believed end of the log at the last round. */
  #lastTop = -1
  /** Where the upstreams' first HAVEs said the log ended when this peer arrived (-1: none said). */
  #historyClaim = -1

  constructor (options: BackfillPlannerOptions, pacer?: AskPacer<L>) {
    this.planner = new BackfillPlanner(options, pacer)
  }

  /** Indices asked for and not received yet. */
  get asked (): number { return this.#asked.size }

  /**
   * An upstream's first HAVE on a new link, before the trees brought anything: the log held
   * blocks up to `highest` when this peer arrived, and no tree will bring those again. The
   * claim is kept whole, and each round makes history of as much of it as is believed then
   * (`top`: the verified highest plus the claim window, less once a claim is refuted), so a
   * late joiner fetches a long history as fast as it verifies, not one window per HAVE.
   */
  historyClaimed (highest: number): void {
    if (highest > this.#historyClaim) this.#historyClaim = highest
  }

  /** Block `index` arrived (by any path); true when this peer had asked for it. */
  received (index: number): boolean {
    this.planner.received(index)
    return this.#asked.delete(index)
  }

  /** The WANTs to send now, for a log believed to end at `top`. */
  round (now: number, log: FeedLog, top: number, upstreams: ReadonlyArray<PlannerUpstream<L>>, treeHighWater: readonly number[]): BackfillRound<L> {
    // A claim was refuted: what was asked past the end it no longer vouches for is forgotten.
    if (top < this.#lastTop) for (const i of this.#asked) if (i > top) this.#asked.delete(i)
    this.#lastTop = top
    const history = Math.min(this.#historyClaim, top)
    if (history + 1 > this.planner.historyEnd) this.planner.historyEnd = history + 1
    const missing = missingUpTo(log, top, RANGES_PER_ROUND)
    if (missing.length === 0) return { wants: [], gaps: [] }
    const wants = this.planner.plan(now, missing, upstreams, treeHighWater)
    const gaps: IndexRange[] = []
    for (const want of wants) {
      let fresh = false
      for (let i = want.from; i <= want.to; i++) {
        if (!this.#asked.has(i)) { this.#asked.add(i); fresh = true }
      }
      if (fresh) gaps.push([want.from, want.to])
    }
    return { wants, gaps }
  }
}

/** The log's missing ranges (at most `limit`), and past the highest block it holds, up to `top`. */
export function missingUpTo (log: FeedLog, top: number, limit: number): IndexRange[] {
  const out = log.missing(limit)
  const from = Math.max(log.highestSeen + 1, log.startIndex)
  if (top >= from && out.length < limit) out.push([from, top])
  return out
}
