/**
 * Answers WANTs from downstream peers, within a budget per link. What it costs this peer is
 * bounded whatever a peer asks:
 * - a WANT is cut to `maxWantBlocks` and to the highest block this peer verified (an index
 *   past it is ignored: not queued, not asked further up, since no honest peer holds it);
 * - each link has a WantBudget (blocks and bytes per second); a WANT past it is refused, and
 *   a link refused WANT_REFUSALS_TO_DROP times within the window is closed and reported;
 * - blocks in the cache go out at once; older ones (re-encoded from the log, or read from an
 *   archive) are produced a few at a time between turns of the event loop, with at most
 *   MAX_ANSWERS_IN_FLIGHT such answers per link, so they never stall arriving blocks.
 */
import { PeerReason } from '../errors.js'
import type { FeedLink } from './feed-link.js'
import { ANSWER_SLICE_BLOCKS, MAX_ANSWERS_IN_FLIGHT } from './net-constants.js'
import { DEFAULT_WANT_BUDGET, WantBudget, type WantBudgetOptions } from './want-budget.js'

export interface WantServerHost {
  /** Highest block index this node verified (or made), -1 when none. */
  highest: () => number
  /** The encoded BLOCK message, if it is in the cache. */
  cached: (index: number) => Uint8Array | undefined
  /** A block past the cache, if this node still has it (encoded again, or read from a store). */
  stored: (index: number) => Uint8Array | undefined | Promise<Uint8Array | undefined>
  /** Indices below the highest that this node lacks: a subscriber asks further up for them. */
  missing: (link: FeedLink, indices: number[]) => void
  /** A link was closed for asking past its budget too often. */
  abusive: (link: FeedLink, reason: typeof PeerReason.WANT_BUDGET_EXCEEDED) => void
  report: (err: unknown) => void
}

export interface WantServerStats {
  /** Blocks sent in answer to WANTs. */
  served: number
  /** WANTs refused (over budget, or too many answers in flight on that link). */
  refused: number
  /** WANTs for nothing this peer verified (past its highest block). */
  ignored: number
  /** Bytes sent in answer to WANTs. */
  servedBytes: number
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))

export class WantServer {
  readonly stats: WantServerStats = { served: 0, refused: 0, ignored: 0, servedBytes: 0 }
  #host: WantServerHost
  #maxWantBlocks: number
  #budgetOptions: WantBudgetOptions
  #budgets = new Map<FeedLink, WantBudget>()
  #busy = new Map<FeedLink, number>()

  constructor (host: WantServerHost, maxWantBlocks: number, budget: WantBudgetOptions = DEFAULT_WANT_BUDGET) {
    this.#host = host
    this.#maxWantBlocks = maxWantBlocks
    this.#budgetOptions = budget
  }

  /** The budget of `link` (for tests and stats), if it asked anything. */
  budgetOf (link: FeedLink): WantBudget | undefined {
    return this.#budgets.get(link)
  }

  forget (link: FeedLink): void {
    this.#budgets.delete(link)
    this.#busy.delete(link)
  }

  onWant (link: FeedLink, from: number, to: number): void {
    if (link.closed) return
    const now = Date.now()
    let budget = this.#budgets.get(link)
    if (budget === undefined) this.#budgets.set(link, (budget = new WantBudget(now, this.#budgetOptions)))
    const last = Math.min(to, from + this.#maxWantBlocks - 1, this.#host.highest())
    const count = Math.max(0, last - from + 1)
    const verdict = (this.#busy.get(link) ?? 0) >= MAX_ANSWERS_IN_FLIGHT ? budget.refuse(now) : budget.ask(count, now)
    if (verdict === 'drop') {
      this.stats.refused++
      this.forget(link)
      link.close()
      this.#host.abusive(link, PeerReason.WANT_BUDGET_EXCEEDED)
      return
    }
    if (verdict === 'refused') { this.stats.refused++; return }
    if (count === 0) { this.stats.ignored++; return }
    const rest: number[] = []
    for (let i = from; i <= last; i++) {
      const bytes = this.#host.cached(i)
      if (bytes === undefined) rest.push(i)
      else this.#send(link, budget, bytes, now)
    }
    if (rest.length === 0) return
    this.#busy.set(link, (this.#busy.get(link) ?? 0) + 1)
    this.#answerRest(link, budget, rest)
      .catch((err: unknown) => this.#host.report(err))
      .finally(() => {
        const n = (this.#busy.get(link) ?? 1) - 1
        if (n > 0) this.#busy.set(link, n)
        else this.#busy.delete(link)
      })
  }

  async #answerRest (link: FeedLink, budget: WantBudget, indices: number[]): Promise<void> {
    const missing: number[] = []
    let encoded = 0
    for (const i of indices) {
      if (link.closed) return
      const got = this.#host.stored(i)
      let bytes: Uint8Array | undefined
      if (got instanceof Promise) bytes = await got
      else {
        bytes = got
        if (bytes !== undefined && ++encoded % ANSWER_SLICE_BLOCKS === 0) await nextTurn()
      }
      if (bytes === undefined) missing.push(i)
      else this.#send(link, budget, bytes, Date.now())
    }
    if (missing.length > 0 && !link.closed) this.#host.missing(link, missing)
  }

  #send (link: FeedLink, budget: WantBudget, bytes: Uint8Array, now: number): void {
    if (!link.send(bytes)) return
    budget.sent(bytes.length, now)
    this.stats.served++
    this.stats.servedBytes += bytes.length
  }
}
