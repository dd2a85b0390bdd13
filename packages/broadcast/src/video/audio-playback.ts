/**
 * The audio of a player: a feed's verified audio chunks decoded with WebCodecs' AudioDecoder,
 * from a group start (which carries the configuration), into a MediaStreamTrack (Chromium's
 * MediaStreamTrackGenerator) and/or a callback. Audio and video are played as they decode,
 * in feed order, so they stay as close as the source encoded them.
 */
import { BroadcastError, ErrorCode } from '../errors.js'
import { TrackOutput } from './track-output.js'
import type { MediaDecoderConfig, MediaFrame } from './media-frame.js'
import { Playout, type PlayoutOptions } from './playout.js'

export interface AudioPlaybackStats {
  /** Blocks of samples the decoder returned, chunks skipped, decoder failures. */
  audioFrames: number
  audioSkipped: number
  audioDecodeErrors: number
}

export class AudioPlayback {
  readonly stats: AudioPlaybackStats = { audioFrames: 0, audioSkipped: 0, audioDecodeErrors: 0 }
  readonly #playout: Playout
  readonly #onAudio: ((data: AudioData) => void) | undefined
  readonly #failed: (err: unknown) => void
  #decoder: AudioDecoder
  #output: TrackOutput<AudioData> | undefined
  #closed = false

  constructor (opts: PlayoutOptions, onAudio: ((data: AudioData) => void) | undefined, failed: (err: unknown) => void) {
    if (typeof AudioDecoder === 'undefined') throw new BroadcastError(ErrorCode.MEDIA_UNSUPPORTED, 'this runtime has no AudioDecoder (WebCodecs)')
    this.#playout = new Playout(opts)
    this.#onAudio = onAudio
    this.#failed = failed
    this.#decoder = this.#newDecoder()
  }

  /** The track the decoded audio plays on, made on first use. */
  get track (): MediaStreamTrack {
    this.#output ??= new TrackOutput<AudioData>('audio')
    return this.#output.track
  }

  offer (frame: MediaFrame, arrivalMs: number): void {
    if (this.#closed) return
    const step = this.#playout.offer(frame, arrivalMs, this.#decoder.decodeQueueSize)
    if (!step.decode) {
      this.stats.audioSkipped++
      return
    }
    try {
      if (step.configure !== undefined) this.#decoder.configure(audioConfig(step.configure))
      this.#decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: frame.timestamp, ...(frame.duration > 0 && { duration: frame.duration }), data: frame.data }))
    } catch (err) {
      this.#decodeFailed(err)
    }
  }

  close (): void {
    if (this.#closed) return
    this.#closed = true
    if (this.#decoder.state !== 'closed') this.#decoder.close()
    this.#output?.close()
  }

  #newDecoder (): AudioDecoder {
    return new AudioDecoder({
      output: (data) => {
        this.stats.audioFrames++
        try {
          this.#onAudio?.(data)
        } finally {
          if (this.#output !== undefined) this.#output.offer(data)
          else data.close()
        }
      },
      error: (err) => this.#decodeFailed(err)
    })
  }

  #decodeFailed (err: unknown): void {
    this.stats.audioDecodeErrors++
    if (this.#decoder.state !== 'closed') this.#decoder.close()
    this.#playout.decoderReset()
    if (!this.#closed) this.#decoder = this.#newDecoder()
    this.#failed(err)
  }
}

function audioConfig (config: MediaDecoderConfig): AudioDecoderConfig {
  return {
    codec: config.codec,
    sampleRate: config.sampleRate ?? 48_000,
    numberOfChannels: config.numberOfChannels ?? 1,
    ...(config.description !== undefined && { description: config.description })
  }
}
