/**
 * A MediaStreamTrack that plays what a decoder returns (Chromium's MediaStreamTrackGenerator),
 * for a player's video and its audio alike.
 */
import { BroadcastError, ErrorCode } from '../errors.js'

/** Chromium's insertable streams (not in TypeScript's DOM types). */
interface TrackGenerator<T> extends MediaStreamTrack { readonly writable: WritableStream<T> }
type TrackGeneratorClass = new <T>(init: { kind: 'video' | 'audio' }) => TrackGenerator<T>

export class TrackOutput<T extends { close: () => void }> {
  readonly track: MediaStreamTrack
  readonly #writer: WritableStreamDefaultWriter<T>

  /** MEDIA_UNSUPPORTED where the browser has no MediaStreamTrackGenerator. */
  constructor (kind: 'video' | 'audio') {
    const Generator = (globalThis as { MediaStreamTrackGenerator?: TrackGeneratorClass }).MediaStreamTrackGenerator
    if (Generator === undefined) throw new BroadcastError(ErrorCode.MEDIA_UNSUPPORTED, 'this browser has no MediaStreamTrackGenerator')
    const track = new Generator<T>({ kind })
    this.track = track
    this.#writer = track.writable.getWriter()
  }

  /**
   * Hands `frame` to the track, whose sink closes it; a sink that does not keep up (a
   * <video> not playing) gets no more, and the frame is closed here: frames held back would
   * stall the decoder.
   */
  offer (frame: T): void {
    if ((this.#writer.desiredSize ?? 1) > 0) this.#writer.write(frame).catch(() => {})
    else frame.close()
  }

  close (): void {
    this.#writer.close().catch(() => {})
  }
}
