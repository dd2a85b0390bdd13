/**
 * The audio track of a media source: AudioData encoded with WebCodecs' AudioEncoder (Opus by
 * default), each chunk written as a feed entry. Every Opus chunk decodes alone; one chunk per
 * `groupIntervalMs` starts a group and carries the decoder configuration, so a newcomer can
 * start there without the configuration being repeated fifty times a second.
 */
import { BroadcastError, ErrorCode } from '../errors.js'
import type { MediaDecoderConfig } from './media-frame.js'
import { chunkBytes, copyDescription, type FrameWriter } from './frame-writer.js'

export interface AudioEncodingOptions {
  codec: string
  bitrate: number
  /** One chunk per this interval (ms) starts a group. */
  groupIntervalMs: number
}

export class AudioEncoding {
  readonly #writer: FrameWriter
  readonly #opts: AudioEncodingOptions
  readonly #failed: (err: unknown) => void
  #encoder: AudioEncoder | undefined
  #config: MediaDecoderConfig | undefined
  /** Timestamp (µs) of the last chunk that started a group. */
  #lastGroup: number | undefined

  constructor (writer: FrameWriter, opts: AudioEncodingOptions, failed: (err: unknown) => void) {
    if (typeof AudioEncoder === 'undefined') throw new BroadcastError(ErrorCode.MEDIA_UNSUPPORTED, 'this runtime has no AudioEncoder (WebCodecs)')
    this.#writer = writer
    this.#opts = opts
    this.#failed = failed
  }

  /** Encodes one block of samples (the caller's to close afterwards). */
  encode (data: AudioData): void {
    const encoder = this.#encoder ?? this.#configure(data)
    encoder.encode(data)
  }

  async close (): Promise<void> {
    const encoder = this.#encoder
    if (encoder === undefined || encoder.state === 'closed') return
    if (encoder.state === 'configured') await encoder.flush().catch(() => {})
    // The flush may have failed and closed it meanwhile.
    if ((encoder.state as CodecState) !== 'closed') encoder.close()
  }

  #configure (data: AudioData): AudioEncoder {
    const encoder = new AudioEncoder({
      output: (chunk, metadata) => this.#output(chunk, metadata),
      error: (err) => this.#failed(err)
    })
    encoder.configure({ codec: this.#opts.codec, sampleRate: data.sampleRate, numberOfChannels: data.numberOfChannels, bitrate: this.#opts.bitrate })
    this.#encoder = encoder
    return encoder
  }

  #output (chunk: EncodedAudioChunk, metadata: EncodedAudioChunkMetadata | undefined): void {
    const config = metadata?.decoderConfig
    if (config !== undefined) {
      const description = copyDescription(config.description)
      this.#config = { codec: config.codec, sampleRate: config.sampleRate, numberOfChannels: config.numberOfChannels, ...(description !== undefined && { description }) }
    }
    if (this.#config === undefined) return
    const startsGroup = this.#lastGroup === undefined || chunk.timestamp - this.#lastGroup >= this.#opts.groupIntervalMs * 1000
    if (startsGroup) this.#lastGroup = chunk.timestamp
    this.#writer.write({
      track: 'audio',
      key: true,
      timestamp: chunk.timestamp,
      duration: chunk.duration ?? 0,
      data: chunkBytes(chunk),
      startsGroup,
      ...(startsGroup && { config: this.#config })
    })
  }
}
