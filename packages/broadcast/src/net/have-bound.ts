/**
 * What the upstreams claim (HAVE: "the log goes up to here"), bounded by what this peer
 * verified. A claim is a hint, not a fact: nothing signs it. So
 * - it is believed only up to `verified + window` (CLAIM_WINDOW): a 13-byte HAVE for a
 *   far-future index cannot set where a log starts, nor make this peer ask for, or pass down,
 *   blocks that do not exist;
 * - it must be backed, a window at a time: the part believed when it was made (or when the
 *   last part was reached) must be verified within `proofMs`, or the claim is refuted and that
 *   link's claims are not believed again (its blocks still are). An honest late joiner
 *   fetching a long history reaches each window in well under that;
 * - a claim lives with its link: when the link closes, so does the claim.
 * Pure: the clock is passed in.
 */
interface Claim {
  highest: number
  /** The index the claim must be backed up to by `deadline`. */
  target: number
  deadline: number
  refuted: boolean
}

export class HaveBound<L> {
  readonly window: number
  readonly proofMs: number
  /** Highest block index this peer verified, -1 when none. */
  #verified = -1
  #claims = new Map<L, Claim>()
  /** Claims refuted so far. */
  refuted = 0

  constructor (window: number, proofMs: number) {
    this.window = window
    this.proofMs = proofMs
  }

  get verified (): number { return this.#verified }

  /** Block `index` verified here. */
  verify (index: number): void {
    if (index > this.#verified) this.#verified = index
  }

  /** `link` says it holds blocks up to `highest`. Returns the claim as far as it is believed. */
  claim (link: L, highest: number, now: number): number {
    const c = this.#claims.get(link)
    if (c === undefined) {
      const fresh = { highest, target: -1, deadline: now, refuted: false }
      this.#next(fresh, now)
      this.#claims.set(link, fresh)
      return this.#bounded(fresh)
    }
    if (!c.refuted && highest > c.highest) c.highest = highest
    return this.#bounded(c)
  }

  forget (link: L): void {
    this.#claims.delete(link)
  }

  /** The highest index believed now, judging no claim (for stats). */
  peek (): number {
    let top = this.#verified
    for (const c of this.#claims.values()) top = Math.max(top, this.#bounded(c))
    return top
  }

  /**
   * The highest index believed to exist: the verified highest, or a standing claim's bound.
   * Judges the claims: call it only when acting on them (backfill), since a peer that asks for
   * nothing (a live subscriber before its first block) backs no claim.
   */
  top (now: number): number {
    let top = this.#verified
    for (const c of this.#claims.values()) {
      if (!c.refuted && c.highest > this.#verified) {
        if (this.#verified >= c.target) this.#next(c, now)
        else if (now >= c.deadline) this.#refute(c)
      }
      top = Math.max(top, this.#bounded(c))
    }
    return top
  }

  /** What `link` is believed to hold (-1 when nothing). */
  of (link: L): number {
    const c = this.#claims.get(link)
    return c === undefined ? -1 : this.#bounded(c)
  }

  /** The next window of a claim to back, and until when. */
  #next (c: Claim, now: number): void {
    c.target = this.#bounded(c)
    c.deadline = now + this.proofMs
  }

  #refute (c: Claim): void {
    c.refuted = true
    c.highest = this.#verified
    this.refuted++
  }

  #bounded (c: Claim): number {
    return Math.min(c.highest, this.#verified + this.window)
  }
}
