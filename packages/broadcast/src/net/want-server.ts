/**
 * Answers WANTs from downstream peers, within a budget per link. What it costs this peer is
 * bounded whatever a peer asks:
 * - a WANT is cut to `maxWantBlocks` and to the highest block this peer verified (an index
 *   past it is ignored: not queued, not asked further up, since no honest peer holds it);
 * - each link has a WantBudget (blocks and bytes per second); a WANT past it is refused, and
 *   a link refused WANT_REFUSALS_TO_DROP times within the window is closed and reported;
 * - blocks in the cache go out at once; older ones (re-encoded from the log, or read from an
 *   archive) wait in the link's queue (bounded by its budget) for the link's one reader, which
 *   produces them a few at a time between turns of the event loop, so they never stall
 *   arriving blocks.
 */
import { PeerReason } from '../errors.js'
import type { FeedLink } from './feed-link.js'
import { systemClock, type Clock } from './clock.js'
import { ANSWER_SLICE_BLOCKS } from './net-constants.js'
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

interface LinkState {
  budget: WantBudget
  /** Granted indices past the cache, waiting for the link's reader. */
  queue: number[]
  reading: boolean
}

export class WantServer {
  readonly stats: WantServerStats = { served: 0, refused: 0, ignored: 0, servedBytes: 0 }
  #host: WantServerHost
  #maxWantBlocks: number
  #budgetOptions: WantBudgetOptions
  #links = new Map<FeedLink, LinkState>()
  #clock: Clock

  constructor (host: WantServerHost, maxWantBlocks: number, budget: WantBudgetOptions = DEFAULT_WANT_BUDGET, clock: Clock = systemClock) {
    this.#host = host
    this.#clock = clock
    this.#maxWantBlocks = maxWantBlocks
    this.#budgetOptions = budget
  }

  /** The budget of `link` (for tests and stats), if it asked anything. */
  budgetOf (link: FeedLink): WantBudget | undefined {
    return this.#links.get(link)?.budget
  }

  /** Indices waiting to be read for `link` (at most what its budget granted). */
  queued (link: FeedLink): number {
    return this.#links.get(link)?.queue.length ?? 0
  }

  forget (link: FeedLink): void {
    const state = this.#links.get(link)
    if (state !== undefined) state.queue.length = 0
    this.#links.delete(link)
  }

  onWant (link: FeedLink, from: number, to: number): void {
    if (link.closed) return
    const now = this.#clock.now()
    let state = this.#links.get(link)
    if (state === undefined) this.#links.set(link, (state = { budget: new WantBudget(now, this.#budgetOptions), queue: [], reading: false }))
    const last = Math.min(to, from + this.#maxWantBlocks - 1, this.#host.highest())
    const count = Math.max(0, last - from + 1)
    const verdict = state.budget.ask(count, now)
    if (verdict === 'drop') {
      this.stats.refused++
      this.forget(link)
      link.close()
      this.#host.abusive(link, PeerReason.WANT_BUDGET_EXCEEDED)
      return
    }
    if (verdict === 'refused') { this.stats.refused++; return }
    if (count === 0) { this.stats.ignored++; return }
    for (let i = from; i <= last; i++) {
      const bytes = this.#host.cached(i)
      if (bytes === undefined) state.queue.push(i)
      else this.#send(link, state.budget, bytes, now)
    }
    if (state.queue.length > 0 && !state.reading) {
      state.reading = true
      this.#read(link, state).catch((err: unknown) => this.#host.report(err)).finally(() => { state.reading = false })
    }
  }

  /** The link's one reader: what its queue holds, a few blocks per turn of the event loop. */
  async #read (link: FeedLink, state: LinkState): Promise<void> {
    const missing: number[] = []
    let produced = 0
    for (;;) {
      const i = state.queue.shift()
      if (i === undefined || link.closed) break
      const got = this.#host.stored(i)
      const bytes = got instanceof Promise ? await got : got
      // A store in memory answers in a microtask, which would never let arriving blocks in.
      if (bytes !== undefined && ++produced % ANSWER_SLICE_BLOCKS === 0) await this.#nextTurn()
      if (bytes === undefined) missing.push(i)
      else this.#send(link, state.budget, bytes, this.#clock.now())
    }
    if (missing.length > 0 && !link.closed) this.#host.missing(link, missing.sort((a, b) => a - b))
  }

  /** Lets the event loop (arriving blocks, other links) in before the next slice. */
  #nextTurn (): Promise<void> {
    return new Promise((resolve) => { this.#clock.setTimeout(resolve, 0) })
  }

  #send (link: FeedLink, budget: WantBudget, bytes: Uint8Array, now: number): void {
    if (!link.send(bytes)) return
    budget.sent(bytes.length, now)
    this.stats.served++
    this.stats.servedBytes += bytes.length
  }
}
