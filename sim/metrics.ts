/**
 * What the simulation measures, as it happens: when each entry was appended, when each
 * subscriber delivered it (latency, by the subscriber's depth at the time), repairs (from a
 * parent's departure, or an upstream lost, to the next upstream link in that tree), and per
 * subscriber what it was owed and got. Summaries are made at the end (report.ts).
 */
import { Histogram } from './histogram.js'

/** Deliveries within this long of the append are on time. */
export const ON_TIME_MS = 1_000

/** Depths past this one share the last latency bucket. */
const MAX_DEPTH_BUCKET = 32

export class PeerRecord {
  readonly name: string
  /** Joined after the first append. */
  readonly newcomer: boolean
  /** First entry seq it is owed (0, or for a newcomer starting at the tip, the first of the next block). */
  readonly fromSeq: number
  /** First entry seq appended after it joined: latency is measured from here on. */
  readonly liveFromSeq: number
  delivered = 0
  /** Live entries delivered within ON_TIME_MS of their append. */
  onTime = 0
  /** Its shallowest depth over its trees, as last computed (0: unknown). */
  depth = 0
  /** Since when each tree has been under repair for it (NaN: not under repair). */
  readonly repairSince: Float64Array

  constructor (name: string, newcomer: boolean, fromSeq: number, liveFromSeq: number, trees: number) {
    this.name = name
    this.newcomer = newcomer
    this.fromSeq = fromSeq
    this.liveFromSeq = liveFromSeq
    this.repairSince = new Float64Array(trees).fill(NaN)
  }
}

export class Metrics {
  readonly appendAt: Float64Array
  /** Latency of every delivery, by depth (index: depth, 0 for unknown). */
  readonly byDepth: Histogram[] = []
  readonly all = new Histogram()
  readonly repairs: number[] = []
  #appended = 0

  constructor (entries: number) {
    this.appendAt = new Float64Array(entries).fill(NaN)
  }

  appended (seq: number, now: number): void {
    if (seq < this.appendAt.length) this.appendAt[seq] = now
    this.#appended++
  }

  get appendedCount (): number { return this.#appended }

  /** `peer` delivered entry `seq` now. */
  delivered (peer: PeerRecord, seq: number, now: number): void {
    if (seq < peer.fromSeq || seq >= this.appendAt.length) return
    peer.delivered++
    // History a newcomer backfills was appended before it joined: no latency of its own.
    if (seq < peer.liveFromSeq) return
    const latency = now - (this.appendAt[seq] as number)
    if (latency <= ON_TIME_MS) peer.onTime++
    this.all.add(latency)
    const d = Math.min(peer.depth, MAX_DEPTH_BUCKET)
    let h = this.byDepth[d]
    if (h === undefined) {
      for (let i = this.byDepth.length; i <= d; i++) this.byDepth[i] ??= new Histogram()
      h = this.byDepth[d] as Histogram
    }
    h.add(latency)
  }

  /** A repair starts for `peer` in `tree` (its parent left, or its upstream was lost). */
  repairStart (peer: PeerRecord, tree: number, now: number): void {
    if (Number.isNaN(peer.repairSince[tree])) peer.repairSince[tree] = now
  }

  /** `peer` has an upstream in `tree` again. */
  repairEnd (peer: PeerRecord, tree: number, now: number): void {
    const since = peer.repairSince[tree] as number
    if (Number.isNaN(since)) return
    this.repairs.push(now - since)
    peer.repairSince[tree] = NaN
  }
}
