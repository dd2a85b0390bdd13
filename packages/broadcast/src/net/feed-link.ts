/**
 * One link of a feed, in one tree: frames our wire messages onto a MessageLink (splitting
 * big ones), reassembles what arrives, and applies back-pressure.
 */
import { FrameDecoder, type Frame, type Reassembler, type ReassemblerOptions } from '../reassembler.js'
import { FrameEncoder } from '../wire.js'
import type { WireReason } from '../errors.js'
import { systemClock, type Clock, type ClockTimer } from './clock.js'
import type { MessageLink } from './message-link.js'
import { DEFAULT_MAX_QUEUED_BYTES, DRAIN_POLL_MS, HIGH_WATER_BYTES, LOW_WATER_BYTES } from './net-constants.js'

export interface FeedLinkOptions {
  /** Largest message written to the link; bigger ones are split. @default 16384 */
  maxMessageBytes?: number
  /** Bytes queued for a slow receiver before the link is dropped. */
  maxQueuedBytes?: number
  /** Limits on what the other end can make this link hold while rejoining fragments. */
  reassembly?: ReassemblerOptions
  /** Time and timers. @default systemClock */
  clock?: Clock
}

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
  /** The connection underneath. */
  readonly transport: MessageLink
  bytesSent = 0
  bytesReceived = 0
  closed = false
  /** The highest block index the other end announced (HAVE) or sent; -1 when unknown. */
  remoteHighest = -1
  #encoder: FrameEncoder
  #decoder: FrameDecoder
  #handlers: FeedLinkHandlers
  #maxQueuedBytes: number
  #clock: Clock
  /** Frames waiting for the transport to drain, and their bytes. */
  #queue: Uint8Array[] = []
  #queuedBytes = 0
  /** Bytes handed to the transport since its bufferedAmount was last read. */
  #unchecked = 0
  #drainTimer: ClockTimer | undefined

  constructor (transport: MessageLink, info: FeedLinkInfo, handlers: FeedLinkHandlers, opts: FeedLinkOptions = {}) {
    this.transport = transport
    this.tree = info.tree
    this.direction = info.direction
    this.remote = info.remote
    this.#handlers = handlers
    this.#clock = opts.clock ?? systemClock
    this.#encoder = new FrameEncoder(opts.maxMessageBytes === undefined ? {} : { maxMessageBytes: opts.maxMessageBytes })
    this.#maxQueuedBytes = opts.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES
    this.#decoder = new FrameDecoder(opts.reassembly)
    transport.bind({
      message: (data) => this.#onData(data),
      drain: () => this.#drain(),
      close: () => this.#onClose()
    })
  }

  /** What this link holds of unfinished fragmented messages (counts, bytes, drops). */
  get reassembler (): Reassembler {
    return this.#decoder.reassembler
  }

  /**
   * Sends one encoded message (split into fragments when large). Returns false, and closes
   * the link, when the other end has fallen so far behind that `maxQueuedBytes` would be
   * exceeded (it will be re-placed and catch up by backfill rather than slow its siblings),
   * or when the transport is no longer open.
   */
  send (message: Uint8Array): boolean {
    if (this.closed) return false
    if (this.#queuedBytes + message.length > this.#maxQueuedBytes) {
      this.close()
      return false
    }
    for (const frame of this.#encoder.split(message)) {
      if (this.closed) return false
      this.bytesSent += frame.length
      if (this.#queue.length > 0 || this.#congested()) {
        this.#queue.push(frame)
        this.#queuedBytes += frame.length
        this.#watchDrain()
      } else {
        this.#write(frame)
      }
    }
    return !this.closed
  }

  /**
   * Whether the transport holds more than HIGH_WATER_BYTES unsent. Reading bufferedAmount is
   * a synchronous call into the WebRTC stack (in Node about as costly as a send), so it is
   * read only once LOW_WATER_BYTES went out since the last reading.
   */
  #congested (): boolean {
    if (this.#unchecked < LOW_WATER_BYTES || !this.transport.writable) return false
    this.#unchecked = this.transport.bufferedAmount
    return this.#unchecked > HIGH_WATER_BYTES
  }

  #write (frame: Uint8Array): void {
    if (!this.transport.writable) {
      this.close() // closing already: queued frames are dropped, the connection is torn down
      return
    }
    this.#unchecked += frame.length
    try {
      this.transport.send(frame)
    } catch {
      this.close() // the transport closed under us; the close handler reports it
    }
  }

  /** Where the transport has no drain event: look every DRAIN_POLL_MS while frames wait. */
  #watchDrain (): void {
    if (this.transport.drains || this.#drainTimer !== undefined || this.closed) return
    this.#drainTimer = this.#clock.setTimeout(() => {
      this.#drainTimer = undefined
      if (this.closed || this.#queue.length === 0) return
      if (this.transport.bufferedAmount <= LOW_WATER_BYTES) this.#drain()
      if (this.#queue.length > 0) this.#watchDrain()
    }, DRAIN_POLL_MS)
  }

  /** The transport drained below its low-water mark: send what waited. */
  #drain (): void {
    this.#unchecked = 0
    if (this.closed) return
    while (this.#queue.length > 0 && !this.closed && !this.#congested()) {
      const frame = this.#queue.shift() as Uint8Array
      this.#queuedBytes -= frame.length
      this.#write(frame)
    }
  }

  close (): void {
    if (this.closed) return
    this.transport.close()
    this.#onClose()
  }

  /**
   * Stops sending and receiving on this link without closing the connection: whoever owns
   * it closes it later (a leaving forest lets its neighbours close their ends first).
   */
  detach (): void {
    this.#onClose()
  }

  #onData (data: Uint8Array): void {
    if (this.closed) return
    this.bytesReceived += data.length
    const r = this.#decoder.receive(data, this.#clock.now())
    if (!r.ok) { this.#handlers.malformed(this, r.reason); return }
    if (r.frame !== undefined) this.#handlers.frame(this, r.frame)
  }

  #onClose (): void {
    if (this.closed) return
    this.closed = true
    this.#clock.clear(this.#drainTimer)
    this.#drainTimer = undefined
    this.#queue = []
    this.#queuedBytes = 0
    this.#handlers.close(this)
  }
}
