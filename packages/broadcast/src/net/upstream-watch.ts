/**
 * Polices this peer's upstreams, one per tree, against each other. Every tree carries every
 * block, so an upstream that delivers far less than the others, or says nothing while the
 * others speak, is failing its subtree; redundancy quietly drops from m trees to fewer. Such
 * an upstream is named, so that the subscriber drops the link (the tree then places this peer
 * under another parent, and the server avoids the one that failed):
 * - `UPSTREAM_LAGGING`: since its link came up, the others delivered blocks at least
 *   `lagBlocks` past the highest it delivered, and it stayed that far behind for `lagMs`;
 * - `UPSTREAM_SILENT`: nothing from it (no block, no HAVE) for `silentMs` while another
 *   upstream was heard in that time (an idle source and every relay send a HAVE every second).
 * Nobody is judged alone (one tree has nothing to compare with), nor within `graceMs` of its
 * link coming up, so a new link or a tree under repair has time to catch up.
 * Pure: the clock is passed in.
 */
import type { PeerReason } from '../errors.js'

export interface UpstreamWatchOptions {
  graceMs: number
  lagBlocks: number
  lagMs: number
  silentMs: number
}

interface Watched {
  since: number
  heard: number
  /** Highest verified block index it delivered, -1 when none. */
  high: number
  /** The same, counting only blocks its tree brought (not answers to this peer's WANTs). */
  treeHigh: number
  /** The highest block any tree had brought when this link came up: it owes none of those. */
  floor: number
  /** Since when it has been `lagBlocks` behind, if it is. */
  behindSince: number | undefined
}

export interface UpstreamVerdict<L> {
  link: L
  reason: typeof PeerReason.UPSTREAM_LAGGING | typeof PeerReason.UPSTREAM_SILENT
}

export class UpstreamWatch<L> {
  readonly options: UpstreamWatchOptions
  #links = new Map<L, Watched>()

  constructor (options: UpstreamWatchOptions) {
    this.options = options
  }

  add (link: L, now: number): void {
    let floor = -1
    for (const w of this.#links.values()) floor = Math.max(floor, w.treeHigh)
    this.#links.set(link, { since: now, heard: now, high: -1, treeHigh: -1, floor, behindSince: undefined })
  }

  remove (link: L): void {
    this.#links.delete(link)
  }

  /** A HAVE (or anything well-formed) came from `link`. */
  heard (link: L, now: number): void {
    const w = this.#links.get(link)
    if (w !== undefined) w.heard = now
  }

  /**
   * A block that verified (or a copy of one) came from `link`; `answered`: in answer to a WANT
   * of this peer (history, a gap), which says nothing of how its tree keeps up.
   */
  delivered (link: L, index: number, now: number, answered = false): void {
    const w = this.#links.get(link)
    if (w === undefined) return
    w.heard = now
    if (index > w.high) w.high = index
    if (!answered && index > w.treeHigh) w.treeHigh = index
  }

  /** Highest verified block `link` delivered (-1 when none or unknown). */
  highOf (link: L): number {
    return this.#links.get(link)?.high ?? -1
  }

  /** The upstreams to drop now, each with its reason (each named once: it is forgotten). */
  check (now: number): Array<UpstreamVerdict<L>> {
    if (this.#links.size < 2) return []
    const { graceMs, lagBlocks, lagMs, silentMs } = this.options
    let top = -1
    let lastHeard = -Infinity
    for (const w of this.#links.values()) {
      top = Math.max(top, w.treeHigh)
      lastHeard = Math.max(lastHeard, w.heard)
    }
    const out: Array<UpstreamVerdict<L>> = []
    for (const [link, w] of this.#links) {
      if (top - Math.max(w.treeHigh, w.floor) >= lagBlocks) w.behindSince ??= now
      else w.behindSince = undefined
      if (now - w.since < graceMs) continue
      if (w.behindSince !== undefined && now - w.behindSince >= lagMs) out.push({ link, reason: 'UPSTREAM_LAGGING' })
      else if (now - w.heard >= silentMs && now - lastHeard < silentMs) out.push({ link, reason: 'UPSTREAM_SILENT' })
    }
    for (const v of out) this.#links.delete(v.link)
    return out
  }
}
