/**
 * A video source (browser): frames of a MediaStreamTrack, or VideoFrames the application makes
 * itself, are encoded with WebCodecs' VideoEncoder and each encoded chunk is appended to a feed
 * as one entry (media-frame.ts). A key frame starts a group every `keyFrameIntervalMs` and
 * carries the decoder configuration, so a newcomer can start at any group.
 */
import { TypedEmitter } from 'peer-tree-client'
import { BroadcastError, ErrorCode, toError } from '../errors.js'
import { mediaFrameEntry, type MediaDecoderConfig, type MediaFrame } from './media-frame.js'
import { readTrackFrames, type TrackReader } from './track-frames.js'

/** What the video source needs of a feed source: `Feed.create`'s source is one. */
export interface FrameAppender {
  append: (value: unknown) => Promise<{ seq: number, blockIndex: number }>
}

export interface VideoSourceOptions {
  /** A WebCodecs codec string. @default 'vp8' */
  codec?: string
  /** Coded size; by default the first frame's size. */
  width?: number
  height?: number
  /** Target bits per second. @default 500000 */
  bitrate?: number
  /** Frames per second the encoder plans for. @default 30 */
  framerate?: number
  /** A key frame (a group start) at least this often (ms): what a newcomer waits at most. @default 1000 */
  keyFrameIntervalMs?: number
  /**
   * Frames waiting in the encoder beyond which a new frame is dropped instead of queued: a
   * slow encoder loses frames rather than latency. @default 2
   */
  maxEncodeQueue?: number
}

export interface VideoSourceStats {
  /** Frames given to the encoder, and of them key frames. */
  frames: number
  keyFrames: number
  /** Frames dropped because the encoder was behind. */
  dropped: number
  /** Encoded chunks appended, and their bytes (the raw encoded stream). */
  chunks: number
  encodedBytes: number
}

export interface VideoSourceEvents {
  /** An encoded chunk was appended: its entry's sequence number and block index. */
  chunk: (info: { seq: number, blockIndex: number, key: boolean, timestamp: number, bytes: number }) => void
  /** The encoder or an append failed; the source stops. */
  error: (err: Error) => void
}

const DEFAULTS = { codec: 'vp8', bitrate: 500_000, framerate: 30, keyFrameIntervalMs: 1000, maxEncodeQueue: 2 }

export class VideoSource extends TypedEmitter<VideoSourceEvents> {
  readonly #feed: FrameAppender
  readonly #opts: Required<Omit<VideoSourceOptions, 'width' | 'height'>> & Pick<VideoSourceOptions, 'width' | 'height'>
  #encoder: VideoEncoder | undefined
  #reader: TrackReader | undefined
  #stats: VideoSourceStats = { frames: 0, keyFrames: 0, dropped: 0, chunks: 0, encodedBytes: 0 }
  /** Timestamp (µs) of the last frame asked to be a key frame; undefined before the first. */
  #lastKey: number | undefined
  /** The configuration the last key frame announced, for key frames the encoder sends without one. */
  #config: MediaDecoderConfig | undefined
  /** Block index of the current group's key frame; appends are chained so it is known in time. */
  #group = -1
  #appends: Promise<void> = Promise.resolve()
  #stopped = false

  constructor (feed: FrameAppender, opts: VideoSourceOptions = {}) {
    super()
    if (typeof VideoEncoder === 'undefined') throw new BroadcastError(ErrorCode.MEDIA_UNSUPPORTED, 'this runtime has no VideoEncoder (WebCodecs)')
    for (const name of ['bitrate', 'framerate', 'keyFrameIntervalMs', 'maxEncodeQueue', 'width', 'height'] as const) {
      const v = opts[name]
      if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number`)
    }
    this.#feed = feed
    this.#opts = { ...DEFAULTS, ...opts }
  }

  /** Encodes the frames of `track` until it ends or `stop()`. */
  static fromTrack (feed: FrameAppender, track: MediaStreamTrack, opts: VideoSourceOptions = {}): VideoSource {
    const source = new VideoSource(feed, opts)
    source.#reader = readTrackFrames(track, (frame) => source.encode(frame), (err) => source.#fail(err))
    return source
  }

  /** Encodes one frame (the caller's to close afterwards, as with VideoEncoder.encode). */
  encode (frame: VideoFrame): void {
    if (this.#stopped) return
    const encoder = this.#encoder ?? this.#configure(frame)
    if (encoder.encodeQueueSize > this.#opts.maxEncodeQueue) {
      this.#stats.dropped++
      return
    }
    const key = this.#lastKey === undefined || frame.timestamp - this.#lastKey >= this.#opts.keyFrameIntervalMs * 1000
    if (key) this.#lastKey = frame.timestamp
    this.#stats.frames++
    if (key) this.#stats.keyFrames++
    encoder.encode(frame, { keyFrame: key })
  }

  stats (): VideoSourceStats {
    return { ...this.#stats }
  }

  /** Stops reading and encoding; resolves once every chunk encoded so far is appended. */
  async stop (): Promise<void> {
    if (this.#stopped) return
    this.#reader?.stop()
    const encoder = this.#encoder
    if (encoder !== undefined && encoder.state === 'configured') await encoder.flush().catch(() => {})
    this.#stopped = true
    if (encoder !== undefined && encoder.state !== 'closed') encoder.close()
    await this.#appends
  }

  #configure (frame: VideoFrame): VideoEncoder {
    const encoder = new VideoEncoder({
      output: (chunk, metadata) => this.#output(chunk, metadata),
      error: (err) => this.#fail(err)
    })
    encoder.configure({
      codec: this.#opts.codec,
      width: this.#opts.width ?? frame.codedWidth,
      height: this.#opts.height ?? frame.codedHeight,
      bitrate: this.#opts.bitrate,
      framerate: this.#opts.framerate,
      // Realtime: the encoder trades quality for never holding frames back.
      latencyMode: 'realtime'
    })
    this.#encoder = encoder
    return encoder
  }

  #output (chunk: EncodedVideoChunk, metadata: EncodedVideoChunkMetadata | undefined): void {
    const data = new Uint8Array(chunk.byteLength)
    chunk.copyTo(data)
    const key = chunk.type === 'key'
    if (metadata?.decoderConfig !== undefined) this.#config = decoderConfig(metadata.decoderConfig)
    const timestamp = chunk.timestamp
    const duration = chunk.duration ?? 0
    this.#stats.chunks++
    this.#stats.encodedBytes += data.length
    // In order, one at a time: a delta names its group's key frame by the block index that
    // frame's append returned.
    this.#appends = this.#appends.then(async () => {
      const frame: MediaFrame = { track: 'video', key, timestamp, duration, data, group: key ? -1 : this.#group }
      if (key && this.#config !== undefined) frame.config = this.#config
      if (key && frame.config === undefined) return // the encoder gave no configuration yet: nothing could decode it
      if (!key && this.#group === -1) return // a delta before any key frame was appended
      const { seq, blockIndex } = await this.#feed.append(mediaFrameEntry(frame))
      if (key) this.#group = blockIndex
      this.emit('chunk', { seq, blockIndex, key, timestamp, bytes: data.length })
    }).catch((err: unknown) => this.#fail(err))
  }

  #fail (err: unknown): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#reader?.stop()
    if (this.#encoder !== undefined && this.#encoder.state !== 'closed') this.#encoder.close()
    this.emit('error', toError(err))
  }
}

/** The part of WebCodecs' decoder configuration a player needs, with the description as bytes. */
function decoderConfig (config: VideoDecoderConfig): MediaDecoderConfig {
  const out: MediaDecoderConfig = { codec: config.codec }
  if (config.codedWidth !== undefined) out.codedWidth = config.codedWidth
  if (config.codedHeight !== undefined) out.codedHeight = config.codedHeight
  const d = config.description
  // A copy: the encoder may reuse the buffer it handed out.
  if (d !== undefined) out.description = ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice() : new Uint8Array(d).slice()
  return out
}
