/**
 * What a player does with each verified frame of one track, in order: decode it, configure the
 * decoder first, or skip it. Pure: the caller says when the frame arrived and how deep the
 * decoder's queue is, so the rules run in tests without a browser.
 *
 * - Nothing is decoded before a group start (a key frame with its configuration): a delta
 *   without its group's earlier frames decodes to garbage or an error.
 * - A player that falls behind skips to the next group start instead of drifting further
 *   behind: behind means the decoder's queue is deeper than `maxDecodeQueue`, or a frame came
 *   more than `maxLagMs` later, against its timestamp, than the freshest frame seen (arrival
 *   minus timestamp: the clocks' offset cancels, what is left is how late this frame is).
 * - If the lag holds steady (late group starts arriving at the stream's own pace, not in the
 *   burst of a repair: the path got slower for good, or the source restarted its clock), the
 *   second late group start is taken as the new normal rather than skipping forever.
 */
import type { MediaDecoderConfig, MediaFrame } from './media-frame.js'

export interface PlayoutOptions {
  /** How much later than the freshest frame a frame may come before the player skips ahead (ms). @default 1000 */
  maxLagMs?: number
  /** Chunks waiting in the decoder beyond which it cannot keep up. @default 15 */
  maxDecodeQueue?: number
}

export const DEFAULT_MAX_LAG_MS = 1000
export const DEFAULT_MAX_DECODE_QUEUE = 15

export type SkipReason = 'before-group' | 'behind'

export type PlayoutStep =
  | { decode: true, configure?: MediaDecoderConfig }
  | { decode: false, reason: SkipReason }

export interface PlayoutStats {
  decoded: number
  /** Frames skipped while waiting for the first group start, or after a decoder reset. */
  skippedBeforeGroup: number
  /** Frames skipped to catch up, and how many times the player fell behind. */
  skippedBehind: number
  fellBehind: number
}

export class Playout {
  readonly stats: PlayoutStats = { decoded: 0, skippedBeforeGroup: 0, skippedBehind: 0, fellBehind: 0 }
  readonly #maxLagMs: number
  readonly #maxDecodeQueue: number
  /** Why nothing is decoded until the next group start; undefined while playing. */
  #waiting: SkipReason | undefined = 'before-group'
  /** The first late group start skipped while behind: its arrival (ms) and timestamp (µs). */
  #skippedStart: { arrivalMs: number, timestamp: number } | undefined
  /** The configuration the decoder has, as compared text; undefined when it has none. */
  #configured: string | undefined
  /** The lowest arrival-minus-timestamp seen (ms): the freshest frame's offset. */
  #freshest = Infinity

  constructor (opts: PlayoutOptions = {}) {
    this.#maxLagMs = positive(opts.maxLagMs ?? DEFAULT_MAX_LAG_MS, 'maxLagMs')
    this.#maxDecodeQueue = positive(opts.maxDecodeQueue ?? DEFAULT_MAX_DECODE_QUEUE, 'maxDecodeQueue')
  }

  /** `arrivalMs`: when the frame arrived (any millisecond clock); `decodeQueue`: chunks the decoder holds. */
  offer (frame: MediaFrame, arrivalMs: number, decodeQueue: number): PlayoutStep {
    const offset = arrivalMs - frame.timestamp / 1000
    this.#freshest = Math.min(this.#freshest, offset)
    const late = offset - this.#freshest > this.#maxLagMs
    if (this.#waiting === undefined && (late || decodeQueue > this.#maxDecodeQueue)) {
      this.#waiting = 'behind'
      this.#skippedStart = undefined
      this.stats.fellBehind++
    }
    const starts = frame.group === -1
    if (this.#waiting !== undefined && starts) {
      if (this.#waiting === 'before-group' || !late || this.#steady(arrivalMs, frame.timestamp)) {
        if (late) this.#freshest = offset
        this.#waiting = undefined
      } else {
        this.#skippedStart ??= { arrivalMs, timestamp: frame.timestamp }
      }
    }
    if (this.#waiting !== undefined) {
      if (this.#waiting === 'behind') this.stats.skippedBehind++
      else this.stats.skippedBeforeGroup++
      return { decode: false, reason: this.#waiting }
    }
    this.stats.decoded++
    if (frame.config === undefined) return { decode: true }
    const text = configText(frame.config)
    if (text === this.#configured) return { decode: true }
    this.#configured = text
    return { decode: true, configure: frame.config }
  }

  /** A late group start came at least half the stream's pace after the first one skipped: no repair burst. */
  #steady (arrivalMs: number, timestamp: number): boolean {
    const first = this.#skippedStart
    if (first === undefined) return false
    return arrivalMs - first.arrivalMs >= (timestamp - first.timestamp) / 1000 / 2
  }

  /** The decoder was reset or closed (it forgot its configuration): wait for the next group start. */
  decoderReset (): void {
    this.#configured = undefined
    this.#waiting = 'before-group'
  }
}

function positive (value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number`)
  return value
}

function configText (config: MediaDecoderConfig): string {
  const { description, ...rest } = config
  return JSON.stringify(rest) + (description === undefined ? '' : Array.from(description).join(','))
}
