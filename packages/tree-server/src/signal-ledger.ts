/**
 * What each end sent on each link, so that one link cannot push unbounded signalling through
 * the server: per link and direction, a count and a byte budget, and no ICE candidate before
 * its sender's SDP (an offer or answer comes first in every honest exchange; candidates
 * without one can only be a flood). Per process, keyed by session, forgotten when the link
 * goes, or after LINK_IDLE_MS without a signal: with several processes, a link can end by a
 * change another process applied, which this one never hears of. (A link that signals again
 * after that long starts a new budget: still a bounded rate.) Pure bookkeeping: the server
 * decides what a verdict costs the link.
 */
import type { PeerId, SessionId } from './protocol.js'

/** `relay`: pass it on. `early`: a candidate before its sender's SDP, dropped. `over`: past a limit, dropped, give the link up. */
export type SignalVerdict = 'relay' | 'early' | 'over'

export interface SignalLimits {
  maxSignalsPerLink: number
  maxSignalBytesPerLink: number
  /** The clock, in ms. */
  now: () => number
}

/** A link's entry goes after this long without a signal. */
export const LINK_IDLE_MS = 10 * 60_000
/** Idle entries are looked for once per this many signals, so the sweep costs O(1) per signal. */
const SWEEP_EVERY = 1_000

interface Sent {
  count: number
  bytes: number
  /** This end has sent an offer or answer on the link. */
  sdp: boolean
}

interface LinkSignals {
  child: PeerId
  fromChild: Sent
  fromParent: Sent
  /** When (ms) its last signal came. */
  seen: number
}

function isSdp (signal: unknown): boolean {
  const type = (signal as { type?: unknown }).type
  return type === 'offer' || type === 'answer' || type === 'pranswer'
}

function isCandidate (signal: unknown): boolean {
  return typeof signal === 'object' && signal !== null &&
    ((signal as { type?: unknown }).type === 'candidate' || 'candidate' in signal)
}

export class SignalLedger {
  readonly #limits: SignalLimits
  readonly #links = new Map<SessionId, LinkSignals>()
  /** The session each child has an entry for: a child has one upstream link at a time. */
  readonly #sessionOf = new Map<PeerId, SessionId>()
  #sinceSweep = 0

  constructor (limits: SignalLimits) {
    this.#limits = limits
  }

  /** Links with an entry, for tests and stats. */
  get size (): number { return this.#links.size }

  /** Count a signal `from` one end of link `session` (whose child is `child`) and judge it. */
  admit (session: SessionId, child: PeerId, from: 'child' | 'parent', signal: unknown, bytes: number): SignalVerdict {
    const now = this.#limits.now()
    if (++this.#sinceSweep >= SWEEP_EVERY) this.#sweep(now)
    let link = this.#links.get(session)
    if (link === undefined) {
      // A child's older link is gone once it signals on a new one.
      this.placed(child, session)
      link = { child, fromChild: { count: 0, bytes: 0, sdp: false }, fromParent: { count: 0, bytes: 0, sdp: false }, seen: now }
      this.#links.set(session, link)
      this.#sessionOf.set(child, session)
    }
    link.seen = now
    const sent = from === 'child' ? link.fromChild : link.fromParent
    sent.count += 1
    sent.bytes += bytes
    if (sent.count > this.#limits.maxSignalsPerLink || sent.bytes > this.#limits.maxSignalBytesPerLink) return 'over'
    if (isSdp(signal)) sent.sdp = true
    else if (!sent.sdp && isCandidate(signal)) return 'early'
    return 'relay'
  }

  /** `child` now hangs on `session` (or on none): its entry for any other link goes. */
  placed (child: PeerId, session: SessionId | null): void {
    const old = this.#sessionOf.get(child)
    if (old === undefined || old === session) return
    this.#links.delete(old)
    this.#sessionOf.delete(child)
  }

  /** Link `session` no longer exists. */
  unlinked (session: SessionId): void {
    const link = this.#links.get(session)
    if (link === undefined) return
    this.#links.delete(session)
    if (this.#sessionOf.get(link.child) === session) this.#sessionOf.delete(link.child)
  }

  #sweep (now: number): void {
    this.#sinceSweep = 0
    for (const [session, link] of this.#links) {
      if (now - link.seen >= LINK_IDLE_MS) this.unlinked(session)
    }
  }

  /** `peerID` left its tree: its upstream link went with it. */
  removed (peerID: PeerId): void {
    this.placed(peerID, null)
  }
}
