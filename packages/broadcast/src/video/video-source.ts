/**
 * A video source (browser): frames of a MediaStreamTrack, or VideoFrames the application makes
 * itself, are encoded with WebCodecs' VideoEncoder and each encoded chunk is appended to a feed
 * as one entry (media-frame.ts); a stream's audio track too, with AudioEncoder. A key frame
 * starts a group every `keyFrameIntervalMs` and carries the decoder configuration, so a
 * newcomer can start at any group.
 */
import { TypedEmitter } from 'peer-tree-client'
import { BroadcastError, ErrorCode, toError } from '../errors.js'
import type { MediaDecoderConfig } from './media-frame.js'
import { AudioEncoding } from './audio-encoding.js'
import { chunkBytes, copyDescription, FrameWriter, type FrameAppender, type WrittenChunk } from './frame-writer.js'
import { readTrackFrames, type TrackReader } from './track-frames.js'

export type { FrameAppender } from './frame-writer.js'

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
  /** The audio codec, for `fromStream` with an audio track. @default 'opus' */
  audioCodec?: string
  /** @default 32000 */
  audioBitrate?: number
}

export interface VideoSourceStats {
  /** Frames given to the encoder, and of them key frames. */
  frames: number
  keyFrames: number
  /** Frames dropped because the encoder was behind. */
  dropped: number
  /** Encoded chunks appended (video and audio), and their bytes (the raw encoded stream). */
  chunks: number
  encodedBytes: number
  /** Of the chunks, audio ones. */
  audioChunks: number
}

export interface VideoSourceEvents {
  /** An encoded chunk was appended: its entry's sequence number and block index. */
  chunk: (info: WrittenChunk) => void
  /** An encoder or an append failed; the source stops. */
  error: (err: Error) => void
}

const DEFAULTS = { codec: 'vp8', bitrate: 500_000, framerate: 30, keyFrameIntervalMs: 1000, maxEncodeQueue: 2, audioCodec: 'opus', audioBitrate: 32_000 }
type Settings = typeof DEFAULTS & Pick<VideoSourceOptions, 'width' | 'height'>

export class VideoSource extends TypedEmitter<VideoSourceEvents> {
  readonly #opts: Settings
  readonly #writer: FrameWriter
  #encoder: VideoEncoder | undefined
  #audio: AudioEncoding | undefined
  #readers: TrackReader[] = []
  #stats: VideoSourceStats = { frames: 0, keyFrames: 0, dropped: 0, chunks: 0, encodedBytes: 0, audioChunks: 0 }
  /** Timestamp (µs) of the last frame asked to be a key frame; undefined before the first. */
  #lastKey: number | undefined
  /** The configuration the last key frame announced, for key frames the encoder sends without one. */
  #config: MediaDecoderConfig | undefined
  #stopped = false

  constructor (feed: FrameAppender, opts: VideoSourceOptions = {}) {
    super()
    if (typeof VideoEncoder === 'undefined') throw new BroadcastError(ErrorCode.MEDIA_UNSUPPORTED, 'this runtime has no VideoEncoder (WebCodecs)')
    for (const name of ['bitrate', 'framerate', 'keyFrameIntervalMs', 'maxEncodeQueue', 'width', 'height', 'audioBitrate'] as const) {
      const v = opts[name]
      if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number`)
    }
    this.#opts = { ...DEFAULTS, ...opts }
    this.#writer = new FrameWriter(feed, (chunk) => {
      this.#stats.chunks++
      this.#stats.encodedBytes += chunk.bytes
      if (chunk.track === 'audio') this.#stats.audioChunks++
      this.emit('chunk', chunk)
    }, (err) => this.#fail(err))
  }

  /** Encodes the frames of a video track until it ends or `stop()`. */
  static fromTrack (feed: FrameAppender, track: MediaStreamTrack, opts: VideoSourceOptions = {}): VideoSource {
    if (track.kind !== 'video') throw new TypeError('fromTrack takes a video track (fromStream takes audio too)')
    const source = new VideoSource(feed, opts)
    source.#readers.push(readTrackFrames<VideoFrame>(track, (frame) => source.encode(frame), (err) => source.#fail(err)))
    return source
  }

  /** Encodes a stream's first video track and, if it has one, its first audio track. */
  static fromStream (feed: FrameAppender, stream: MediaStream, opts: VideoSourceOptions = {}): VideoSource {
    const [video] = stream.getVideoTracks()
    if (video === undefined) throw new TypeError('the stream has no video track')
    const source = VideoSource.fromTrack(feed, video, opts)
    const [audio] = stream.getAudioTracks()
    if (audio !== undefined) {
      const encoding = new AudioEncoding(source.#writer, { codec: source.#opts.audioCodec, bitrate: source.#opts.audioBitrate, groupIntervalMs: source.#opts.keyFrameIntervalMs }, (err) => source.#fail(err))
      source.#audio = encoding
      source.#readers.push(readTrackFrames<AudioData>(audio, (data) => { if (!source.#stopped) encoding.encode(data) }, (err) => source.#fail(err)))
    }
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
    for (const reader of this.#readers) reader.stop()
    const encoder = this.#encoder
    if (encoder !== undefined && encoder.state === 'configured') await encoder.flush().catch(() => {})
    await this.#audio?.close()
    this.#stopped = true
    if (encoder !== undefined && encoder.state !== 'closed') encoder.close()
    await this.#writer.settled()
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
    const config = metadata?.decoderConfig
    if (config !== undefined) {
      const description = copyDescription(config.description)
      this.#config = {
        codec: config.codec,
        ...(config.codedWidth !== undefined && { codedWidth: config.codedWidth }),
        ...(config.codedHeight !== undefined && { codedHeight: config.codedHeight }),
        ...(description !== undefined && { description })
      }
    }
    const key = chunk.type === 'key'
    // A key frame without a configuration yet could not be decoded by anyone: not a group start.
    if (key && this.#config === undefined) return
    this.#writer.write({
      track: 'video',
      key,
      timestamp: chunk.timestamp,
      duration: chunk.duration ?? 0,
      data: chunkBytes(chunk),
      startsGroup: key,
      ...(key && this.#config !== undefined && { config: this.#config })
    })
  }

  #fail (err: unknown): void {
    if (this.#stopped) return
    this.#stopped = true
    for (const reader of this.#readers) reader.stop()
    if (this.#encoder !== undefined && this.#encoder.state !== 'closed') this.#encoder.close()
    this.#audio?.close().catch(() => {})
    this.emit('error', toError(err))
  }
}
