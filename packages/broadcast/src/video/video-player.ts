/**
 * A video player (browser): the verified entries of a feed subscriber, decoded with WebCodecs'
 * VideoDecoder and drawn into a canvas, handed to a callback, or written to a
 * MediaStreamTrack for a <video> element. A subscriber emits an entry only after its block
 * verified against the feed key, so what is decoded is what the source encoded: a relay can
 * delay or drop a frame, never alter or inject one. Which frames are decoded follows the
 * playout rules (playout.ts): from a group start, skipping ahead when behind.
 */
import { TypedEmitter } from 'peer-tree-client'
import { BroadcastError, ErrorCode, toError } from '../errors.js'
import { readMediaFrame, type MediaDecoderConfig, type MediaFrame } from './media-frame.js'
import { Playout, type PlayoutOptions, type PlayoutStats, type SkipReason } from './playout.js'
import { AudioPlayback, type AudioPlaybackStats } from './audio-playback.js'
import { TrackOutput } from './track-output.js'

/** What the player needs of a feed subscriber: `Feed.join`'s subscriber is one. */
export interface FrameFeed {
  on: (event: 'entry', listener: (entry: { seq: number, data: unknown }) => void) => unknown
  off: (event: 'entry', listener: (entry: { seq: number, data: unknown }) => void) => unknown
}

export interface DecodedFrameInfo {
  /** The entry that carried the frame. */
  seq: number
  /** The frame's presentation time (µs), as the source's encoder stamped it. */
  timestamp: number
  /** A key frame (a group start). */
  key: boolean
}

export interface VideoPlayerOptions extends PlayoutOptions {
  /** Each decoded frame is drawn here (the canvas takes the frame's size). */
  canvas?: HTMLCanvasElement | OffscreenCanvas
  /** Called with each decoded frame before it is drawn and closed: `frame.clone()` to keep it. */
  onFrame?: (frame: VideoFrame, info: DecodedFrameInfo) => void
  /** Called with each block of decoded audio before it is played and closed; decodes the audio track. */
  onAudio?: (data: AudioData) => void
}

export interface VideoPlayerStats extends PlayoutStats, AudioPlaybackStats {
  /** Frames the decoder returned (each drawn, handed over, written). */
  frames: number
  /** Decoder failures; after each the decoder starts again at the next group start. */
  decodeErrors: number
  /** Entries that were not frames, and audio chunks when nothing plays the audio. */
  otherEntries: number
}

export interface VideoPlayerEvents {
  frame: (info: DecodedFrameInfo) => void
  /** A frame was not decoded: before the first group start, or skipped to catch up. */
  skip: (info: { seq: number, reason: SkipReason }) => void
  error: (err: Error) => void
}

export class VideoPlayer extends TypedEmitter<VideoPlayerEvents> {
  readonly #feed: FrameFeed
  readonly #opts: VideoPlayerOptions
  readonly #playout: Playout
  readonly #listener = (entry: { seq: number, data: unknown }): void => this.#onEntry(entry)
  #decoder: VideoDecoder
  /** The frames in the decoder, by timestamp, to name what comes out. */
  #inDecoder = new Map<number, { seq: number, key: boolean }>()
  #counts = { frames: 0, decodeErrors: 0, otherEntries: 0 }
  #output: TrackOutput<VideoFrame> | undefined
  #audio: AudioPlayback | undefined
  #closed = false

  constructor (feed: FrameFeed, opts: VideoPlayerOptions = {}) {
    super()
    if (typeof VideoDecoder === 'undefined') throw new BroadcastError(ErrorCode.MEDIA_UNSUPPORTED, 'this runtime has no VideoDecoder (WebCodecs)')
    this.#feed = feed
    this.#opts = opts
    this.#playout = new Playout(opts)
    this.#decoder = this.#newDecoder()
    if (opts.onAudio !== undefined) this.#audio = this.#newAudio()
    feed.on('entry', this.#listener)
  }

  /**
   * A video track that plays the decoded frames (`video.srcObject = new MediaStream([player.track])`),
   * made on first use; Chromium's MediaStreamTrackGenerator, else MEDIA_UNSUPPORTED.
   */
  get track (): MediaStreamTrack {
    this.#output ??= new TrackOutput<VideoFrame>('video')
    return this.#output.track
  }

  /**
   * An audio track that plays the feed's decoded audio (from its next group start), made on
   * first use: `new MediaStream([player.track, player.audioTrack])`.
   */
  get audioTrack (): MediaStreamTrack {
    this.#audio ??= this.#newAudio()
    return this.#audio.track
  }

  stats (): VideoPlayerStats {
    return { ...this.#playout.stats, ...this.#counts, ...(this.#audio?.stats ?? { audioFrames: 0, audioSkipped: 0, audioDecodeErrors: 0 }) }
  }

  close (): void {
    if (this.#closed) return
    this.#closed = true
    this.#feed.off('entry', this.#listener)
    if (this.#decoder.state !== 'closed') this.#decoder.close()
    this.#output?.close()
    this.#audio?.close()
  }

  #onEntry ({ seq, data }: { seq: number, data: unknown }): void {
    if (this.#closed) return
    const frame = readMediaFrame(data)
    if (frame?.track === 'audio' && this.#audio !== undefined) {
      this.#audio.offer(frame, performance.now())
      return
    }
    if (frame === undefined || frame.track !== 'video') {
      this.#counts.otherEntries++
      return
    }
    const step = this.#playout.offer(frame, performance.now(), this.#decoder.decodeQueueSize)
    if (!step.decode) {
      this.emit('skip', { seq, reason: step.reason })
      return
    }
    try {
      if (step.configure !== undefined) this.#decoder.configure(videoConfig(step.configure))
      this.#inDecoder.set(frame.timestamp, { seq, key: frame.key })
      this.#decoder.decode(chunkOf(frame))
    } catch (err) {
      this.#decodeFailed(err)
    }
  }

  #newAudio (): AudioPlayback {
    return new AudioPlayback(this.#opts, this.#opts.onAudio, (err) => this.emit('error', toError(err)))
  }

  #newDecoder (): VideoDecoder {
    return new VideoDecoder({
      output: (frame) => this.#show(frame),
      error: (err) => this.#decodeFailed(err)
    })
  }

  /** A decoder that failed is closed for good: start a new one at the next group start. */
  #decodeFailed (err: unknown): void {
    this.#counts.decodeErrors++
    this.#inDecoder.clear()
    if (this.#decoder.state !== 'closed') this.#decoder.close()
    this.#playout.decoderReset()
    if (!this.#closed) this.#decoder = this.#newDecoder()
    this.emit('error', toError(err))
  }

  #show (frame: VideoFrame): void {
    const entry = this.#inDecoder.get(frame.timestamp)
    this.#inDecoder.delete(frame.timestamp)
    this.#counts.frames++
    const info: DecodedFrameInfo = { seq: entry?.seq ?? -1, timestamp: frame.timestamp, key: entry?.key ?? false }
    try {
      this.#opts.onFrame?.(frame, info)
      if (this.#opts.canvas !== undefined) draw(this.#opts.canvas, frame)
    } catch (err) {
      this.emit('error', toError(err))
    }
    if (this.#output !== undefined) this.#output.offer(frame)
    else frame.close()
    this.emit('frame', info)
  }
}

function draw (canvas: HTMLCanvasElement | OffscreenCanvas, frame: VideoFrame): void {
  if (canvas.width !== frame.displayWidth) canvas.width = frame.displayWidth
  if (canvas.height !== frame.displayHeight) canvas.height = frame.displayHeight
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null
  ctx?.drawImage(frame, 0, 0)
}

function videoConfig (config: MediaDecoderConfig): VideoDecoderConfig {
  const out: VideoDecoderConfig = { codec: config.codec, optimizeForLatency: true }
  if (config.codedWidth !== undefined) out.codedWidth = config.codedWidth
  if (config.codedHeight !== undefined) out.codedHeight = config.codedHeight
  if (config.description !== undefined) out.description = config.description
  return out
}

function chunkOf (frame: MediaFrame): EncodedVideoChunk {
  return new EncodedVideoChunk({
    type: frame.key ? 'key' : 'delta',
    timestamp: frame.timestamp,
    ...(frame.duration > 0 && { duration: frame.duration }),
    data: frame.data
  })
}
