/**
 * Appends a source's encoded chunks to its feed, one at a time and in order, so that each
 * chunk can name its group's first block: that block's index is known only once its append
 * returned. Shared by the tracks of one source (video and audio go into one feed).
 */
import { mediaFrameEntry, type MediaFrame, type MediaTrackKind } from './media-frame.js'

/** What a media source needs of a feed source: `Feed.create`'s source is one. */
export interface FrameAppender {
  append: (value: unknown) => Promise<{ seq: number, blockIndex: number }>
}

/** A chunk to append: a frame without its group, and whether it starts one. */
export type ChunkToWrite = Omit<MediaFrame, 'group'> & { startsGroup: boolean }

export interface WrittenChunk { seq: number, blockIndex: number, track: MediaTrackKind, key: boolean, timestamp: number, bytes: number }

export class FrameWriter {
  readonly #feed: FrameAppender
  readonly #written: (chunk: WrittenChunk) => void
  readonly #failed: (err: unknown) => void
  /** Per track, the block index of its current group's first chunk; absent before the first. */
  #groups = new Map<MediaTrackKind, number>()
  #appends: Promise<void> = Promise.resolve()

  constructor (feed: FrameAppender, written: (chunk: WrittenChunk) => void, failed: (err: unknown) => void) {
    this.#feed = feed
    this.#written = written
    this.#failed = failed
  }

  write ({ startsGroup, ...chunk }: ChunkToWrite): void {
    this.#appends = this.#appends.then(async () => {
      const group = this.#groups.get(chunk.track)
      // Before its track's first group start nothing could decode it.
      if (!startsGroup && group === undefined) return
      const frame: MediaFrame = { ...chunk, group: startsGroup ? -1 : group ?? -1 }
      const { seq, blockIndex } = await this.#feed.append(mediaFrameEntry(frame))
      if (startsGroup) this.#groups.set(chunk.track, blockIndex)
      this.#written({ seq, blockIndex, track: chunk.track, key: chunk.key, timestamp: chunk.timestamp, bytes: chunk.data.length })
    }).catch((err: unknown) => this.#failed(err))
  }

  /** Resolves once every chunk written so far is appended (or failed). */
  async settled (): Promise<void> {
    await this.#appends
  }
}

/** The bytes of an encoded chunk, copied out (the chunk is the encoder's). */
export function chunkBytes (chunk: { byteLength: number, copyTo: (dest: Uint8Array) => void }): Uint8Array {
  const data = new Uint8Array(chunk.byteLength)
  chunk.copyTo(data)
  return data
}

/** A decoder description as bytes of its own (the encoder may reuse the buffer it handed out). */
export function copyDescription (d: AllowSharedBufferSource | undefined): Uint8Array | undefined {
  if (d === undefined) return undefined
  return ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice() : new Uint8Array(d).slice()
}
