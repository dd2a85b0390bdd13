/**
 * One WebRTC link of a feed, in one tree: frames our wire messages onto a simple-peer
 * data channel (splitting big ones), reassembles what arrives, and applies back-pressure.
 */
import { FrameDecoder, type Frame, type Reassembler, type ReassemblerOptions } from '../reassembler.js'
import { FrameEncoder } from '../wire.js'
import type { LinkPeer } from 'peer-tree-client'
import type { WireReason } from '../errors.js'
import { DEFAULT_MAX_QUEUED_BYTES, DRAIN_POLL_MS, HIGH_WATER_BYTES, LOW_WATER_BYTES } from './net-constants.js'

/** The part of an RTCDataChannel this link reads (simple-peer keeps it as `_channel`). */
interface DataChannel {
  readonly bufferedAmount: number
  /** Absent where the stack has no bufferedamountlow event (@roamhq/wrtc). */
  bufferedAmountLowThreshold?: number
  readonly readyState?: string
  onbufferedamountlow: ((ev: unknown) => void) | null
}

/** simple-peer's state that says whether its channel may still be written to. */
interface PeerState {
  destroyed?: boolean
  destroying?: boolean
  _channel?: DataChannel | null
  _pc?: { readonly sctp?: SctpTransport | null } | null
}

/** The connection's SCTP transport, which carries every data channel. */
interface SctpTransport { readonly state?: string }

export interface FeedLinkOptions {
  /** Largest message written to the channel; bigger ones are split. @default 16384 */
  maxMessageBytes?: number
  /** Bytes queued for a slow receiver before the link is dropped. */
  maxQueuedBytes?: number
  /** Limits on what the other end can make this link hold while rejoining fragments. */
  reassembly?: ReassemblerOptions
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
  readonly peer: LinkPeer
  bytesSent = 0
  bytesReceived = 0
  closed = false
  /** The highest block index the other end announced (HAVE) or sent; -1 when unknown. */
  remoteHighest = -1
  #encoder: FrameEncoder
  #decoder: FrameDecoder
  #handlers: FeedLinkHandlers
  #maxQueuedBytes: number
  /** Frames waiting for the data channel to drain, and their bytes. */
  #queue: Uint8Array[] = []
  #queuedBytes = 0
  /** Bytes handed to the channel since its bufferedAmount was last read. */
  #unchecked = 0
  #channel: DataChannel | undefined
  /** Read once: in Node's WebRTC the `sctp` getter costs ~40 µs, four times a state read. */
  #sctp: SctpTransport | undefined
  /**
   * Whether the channel fires bufferedamountlow. @roamhq/wrtc never does (it has no
   * bufferedAmountLowThreshold): there a queued link looks for the drain on a timer.
   */
  #drainEvent = false
  #drainTimer: ReturnType<typeof setTimeout> | undefined

  constructor (peer: LinkPeer, info: FeedLinkInfo, handlers: FeedLinkHandlers, opts: FeedLinkOptions = {}) {
    this.peer = peer
    this.tree = info.tree
    this.direction = info.direction
    this.remote = info.remote
    this.#handlers = handlers
    this.#encoder = new FrameEncoder(opts.maxMessageBytes === undefined ? {} : { maxMessageBytes: opts.maxMessageBytes })
    this.#maxQueuedBytes = opts.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES
    this.#decoder = new FrameDecoder(opts.reassembly)
    peer.on('data', (data: Uint8Array) => this.#onData(data))
    peer.once('close', () => this.#onClose())
    peer.on('error', () => this.#onClose())
    this.#channel = (peer as unknown as { _channel?: DataChannel })._channel
    this.#sctp = (peer as unknown as PeerState)._pc?.sctp ?? undefined
    const channel = this.#channel
    this.#drainEvent = typeof channel?.bufferedAmountLowThreshold === 'number'
    if (channel !== undefined) {
      // simple-peer's own handler serves its stream interface, which this link does not use;
      // keep it, and drain our queue too.
      const theirs = channel.onbufferedamountlow
      channel.onbufferedamountlow = (ev: unknown) => {
        theirs?.call(channel, ev)
        this.#drain()
      }
    }
  }

  /** What this link holds of unfinished fragmented messages (counts, bytes, drops). */
  get reassembler (): Reassembler {
    return this.#decoder.reassembler
  }

  /**
   * Sends one encoded message (split into fragments when large). Returns false, and closes
   * the link, when the other end has fallen so far behind that `maxQueuedBytes` would be
   * exceeded (it will be re-placed and catch up by backfill rather than slow its siblings),
   * or when the channel is no longer open.
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
   * Whether the channel holds more than HIGH_WATER_BYTES unsent. Reading bufferedAmount is a
   * synchronous call into the WebRTC stack (in Node about as costly as a send), so it is read
   * only once LOW_WATER_BYTES went out since the last reading.
   */
  #congested (): boolean {
    const channel = this.#channel
    if (channel === undefined || this.#unchecked < LOW_WATER_BYTES || !this.#writable()) return false
    this.#unchecked = channel.bufferedAmount
    return this.#unchecked > HIGH_WATER_BYTES
  }

  /**
   * Whether the data channel still takes writes. A send on a channel that is closing or torn
   * down can crash a native WebRTC stack (not just throw), and the channel may close from the
   * other side before simple-peer reports it: so every send asks first.
   */
  #writable (): boolean {
    const peer = this.peer as unknown as PeerState
    if (peer.destroyed === true || peer.destroying === true) return false
    const channel = peer._channel
    if (channel === undefined || channel === null || channel.readyState !== 'open') return false
    // The channel can still say 'open' once its transport is gone (the other end closed the
    // connection); a send then is on a torn-down transport.
    return this.#sctp?.state !== 'closed'
  }

  #write (frame: Uint8Array): void {
    if (!this.#writable()) {
      this.close() // closing already: queued frames are dropped, the peer is torn down
      return
    }
    this.#unchecked += frame.length
    try {
      this.peer.send(frame)
    } catch {
      this.close() // the channel closed under us; the close handler reports it
    }
  }

  /** Where the channel has no drain event: look every DRAIN_POLL_MS while frames wait. */
  #watchDrain (): void {
    if (this.#drainEvent || this.#drainTimer !== undefined || this.closed) return
    this.#drainTimer = setTimeout(() => {
      this.#drainTimer = undefined
      if (this.closed || this.#queue.length === 0) return
      if (this.#channel !== undefined && this.#channel.bufferedAmount <= LOW_WATER_BYTES) this.#drain()
      if (this.#queue.length > 0) this.#watchDrain()
    }, DRAIN_POLL_MS)
  }

  /** The channel drained below simple-peer's low-water mark: send what waited. */
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
    this.peer.destroy()
    this.#onClose()
  }

  /**
   * Stops sending and receiving on this link without closing the connection: whoever owns
   * the peer closes it later (a leaving forest lets its neighbours close their ends first).
   */
  detach (): void {
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
    clearTimeout(this.#drainTimer)
    this.#drainTimer = undefined
    this.#queue = []
    this.#queuedBytes = 0
    this.#handlers.close(this)
  }
}
