/**
 * One WebRTC link of a feed, in one tree: frames our wire messages onto a simple-peer
 * data channel (splitting big ones), reassembles what arrives, and applies back-pressure.
 */
import type SimplePeer from 'simple-peer'
import { FrameDecoder, type Frame } from '../reassembler.js'
import { FrameEncoder } from '../wire.js'
import type { WireReason } from '../errors.js'
import { DEFAULT_MAX_QUEUED_BYTES } from './net-constants.js'

export type LinkDirection = 'up' | 'down'

export interface FeedLinkInfo {
  /** Which of the feed's trees (0-based). */
  tree: number
  direction: LinkDirection
  /** The remote member's peerID in that tree. */
  remote: string
}

export interface FeedLinkHandlers {
  frame: (link: FeedLink, frame: Frame) => void
  /** Bytes that were not a valid message; counted, and the link may be judged by it. */
  malformed: (link: FeedLink, reason: WireReason) => void
  close: (link: FeedLink) => void
}

export class FeedLink implements FeedLinkInfo {
  readonly tree: number
  readonly direction: LinkDirection
  readonly remote: string
  readonly peer: SimplePeer.Instance
  bytesSent = 0
  bytesReceived = 0
  closed = false
  /** The highest block index the other end announced (HAVE) or sent; -1 when unknown. */
  remoteHighest = -1
  #encoder: FrameEncoder
  #decoder = new FrameDecoder()
  #handlers: FeedLinkHandlers
  #maxQueuedBytes: number

  constructor (peer: SimplePeer.Instance, info: FeedLinkInfo, handlers: FeedLinkHandlers, opts: { maxMessageBytes?: number, maxQueuedBytes?: number } = {}) {
    this.peer = peer
    this.tree = info.tree
    this.direction = info.direction
    this.remote = info.remote
    this.#handlers = handlers
    this.#encoder = new FrameEncoder(opts.maxMessageBytes === undefined ? {} : { maxMessageBytes: opts.maxMessageBytes })
    this.#maxQueuedBytes = opts.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES
    peer.on('data', (data: Uint8Array) => this.#onData(data))
    peer.once('close', () => this.#onClose())
    peer.on('error', () => this.#onClose())
  }

  /**
   * Sends one encoded message (split into fragments when large). Returns false, and closes
   * the link, when the other end has fallen so far behind that `maxQueuedBytes` would be
   * exceeded: it will be re-placed and catch up by backfill rather than slow its siblings.
   */
  send (message: Uint8Array): boolean {
    if (this.closed) return false
    if (this.peer.writableLength + message.length > this.#maxQueuedBytes) {
      this.close()
      return false
    }
    for (const frame of this.#encoder.split(message)) {
      this.bytesSent += frame.length
      // The stream interface waits for the data channel's bufferedAmount to drain
      // (simple-peer's _write), so a burst never overruns the channel.
      this.peer.write(frame)
    }
    return true
  }

  close (): void {
    if (this.closed) return
    this.peer.destroy()
    this.#onClose()
  }

  #onData (data: Uint8Array): void {
    if (this.closed) return
    this.bytesReceived += data.length
    const r = this.#decoder.receive(data)
    if (!r.ok) { this.#handlers.malformed(this, r.reason); return }
    if (r.frame !== undefined) this.#handlers.frame(this, r.frame)
  }

  #onClose (): void {
    if (this.closed) return
    this.closed = true
    this.#handlers.close(this)
  }
}
