/**
 * Rejoins FRAGMENT messages from one link, with hard bounds so that a lying peer cannot grow
 * our memory: a cap on unfinished messages, on the bytes they hold, on a message's size and
 * fragment count, and a timeout from a message's first fragment. Over a cap, the oldest
 * unfinished message is evicted. Time is passed in (`now`), so this stays pure.
 *
 * {@link FrameDecoder} puts decodeMessage and the reassembler together: feed it every frame
 * a link delivers, get whole messages back.
 */
import { assertInteger } from './bytes.js'
import {
  DEFAULT_MAX_FRAGMENTS,
  DEFAULT_MAX_PENDING_BYTES,
  DEFAULT_MAX_PENDING_MESSAGES,
  DEFAULT_MAX_REASSEMBLED_BYTES,
  DEFAULT_REASSEMBLY_TIMEOUT_MS
} from './constants.js'
import { WireReason } from './errors.js'
import { decodeMessage, MessageType, type FragmentMessage, type WireMessage } from './wire.js'

export interface ReassemblerOptions {
  /** Unfinished messages held at once; the oldest is evicted beyond it. @default 16 */
  maxPendingMessages?: number
  /** Bytes held by unfinished messages; the oldest are evicted beyond it. @default 16 MiB */
  maxPendingBytes?: number
  /** Largest message rebuilt; a message growing past it is dropped. @default 8 MiB */
  maxMessageBytes?: number
  /** Largest `total` accepted. @default 4096 */
  maxFragments?: number
  /** An unfinished message is dropped this long after its first fragment. @default 15000 */
  timeoutMs?: number
}

/** Counters for dropped input (for metrics). */
export interface ReassemblerStats {
  completed: number
  /** Unfinished messages dropped for the pending-message or pending-byte cap. */
  evicted: number
  /** Unfinished messages dropped by the timeout. */
  expired: number
  /** Fragments rejected (invalid, conflicting, duplicate, too large). */
  rejected: number
}

export type PushResult =
  | { ok: true; done: false }
  | { ok: true; done: true; bytes: Uint8Array }
  | { ok: false; reason: WireReason }

interface Pending {
  total: number
  received: number
  bytes: number
  firstAt: number
  pieces: (Uint8Array | undefined)[]
}

/** Rejoins fragments from one sender. Never throws on network input. */
export class Reassembler {
  readonly stats: ReassemblerStats = { completed: 0, evicted: 0, expired: 0, rejected: 0 }
  readonly #pending = new Map<number, Pending>()
  #pendingBytes = 0
  readonly #maxPendingMessages: number
  readonly #maxPendingBytes: number
  readonly #maxMessageBytes: number
  readonly #maxFragments: number
  readonly #timeoutMs: number

  constructor (options: ReassemblerOptions = {}) {
    this.#maxPendingMessages = options.maxPendingMessages ?? DEFAULT_MAX_PENDING_MESSAGES
    this.#maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES
    this.#maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_REASSEMBLED_BYTES
    this.#maxFragments = options.maxFragments ?? DEFAULT_MAX_FRAGMENTS
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_REASSEMBLY_TIMEOUT_MS
    assertInteger(this.#maxPendingMessages, 'maxPendingMessages', 1, 1 << 20)
    assertInteger(this.#maxPendingBytes, 'maxPendingBytes', 1, Number.MAX_SAFE_INTEGER)
    assertInteger(this.#maxMessageBytes, 'maxMessageBytes', 1, Number.MAX_SAFE_INTEGER)
    assertInteger(this.#maxFragments, 'maxFragments', 2, 0xffff_ffff)
    assertInteger(this.#timeoutMs, 'timeoutMs', 0, Number.MAX_SAFE_INTEGER)
  }

  /** The limits in force (the options with their defaults filled in). */
  get limits (): Required<ReassemblerOptions> {
    return {
      maxPendingMessages: this.#maxPendingMessages,
      maxPendingBytes: this.#maxPendingBytes,
      maxMessageBytes: this.#maxMessageBytes,
      maxFragments: this.#maxFragments,
      timeoutMs: this.#timeoutMs
    }
  }

  /** Unfinished messages held now. */
  get pendingMessages (): number {
    return this.#pending.size
  }

  /** Bytes held by unfinished messages now. */
  get heldBytes (): number {
    return this.#pendingBytes
  }

  /**
   * Bytes of memory the held pieces keep alive: the sizes of the distinct buffers under them.
   * Every piece is a copy in a buffer of its own, so this equals {@link heldBytes}; it is
   * measured, not assumed, so that a regression to views shows.
   */
  get retainedBytes (): number {
    const buffers = new Set<ArrayBufferLike>()
    let total = 0
    for (const entry of this.#pending.values()) {
      for (const piece of entry.pieces) {
        if (piece === undefined || buffers.has(piece.buffer)) continue
        buffers.add(piece.buffer)
        total += piece.buffer.byteLength
      }
    }
    return total
  }

  /** Adds one fragment; returns the whole message's bytes when it was the last piece. */
  push (fragment: FragmentMessage, now: number = Date.now()): PushResult {
    this.expire(now)
    const { id, index, total, bytes } = fragment
    if (total < 2 || total > this.#maxFragments || index < 0 || index >= total || bytes.length === 0) {
      return this.#reject(WireReason.FRAGMENT_INVALID)
    }
    let entry = this.#pending.get(id)
    if (entry !== undefined && entry.total !== total) {
      this.#drop(id, entry)
      return this.#reject(WireReason.FRAGMENT_CONFLICT)
    }
    if (entry !== undefined && entry.pieces[index] !== undefined) return this.#reject(WireReason.FRAGMENT_DUPLICATE)
    const size = (entry?.bytes ?? 0) + bytes.length
    if (size > this.#maxMessageBytes || bytes.length > this.#maxPendingBytes) {
      if (entry !== undefined) this.#drop(id, entry)
      return this.#reject(WireReason.MESSAGE_TOO_LARGE)
    }
    if (entry === undefined) {
      entry = { total, received: 0, bytes: 0, firstAt: now, pieces: new Array<Uint8Array | undefined>(total) }
      this.#pending.set(id, entry)
    }
    // A copy in a buffer of its own: a view would pin the whole received frame (a frame may
    // carry far more than its piece), and a Node Buffer's slice() is such a view.
    entry.pieces[index] = new Uint8Array(bytes)
    entry.received++
    entry.bytes += bytes.length
    this.#pendingBytes += bytes.length
    if (entry.received === total) {
      this.#drop(id, entry)
      this.stats.completed++
      return { ok: true, done: true, bytes: join(entry.pieces, entry.bytes) }
    }
    if (!this.#enforceCaps(id, entry)) {
      this.#drop(id, entry)
      return this.#reject(WireReason.MESSAGE_TOO_LARGE)
    }
    return { ok: true, done: false }
  }

  /** Drops unfinished messages older than the timeout. Called by push; callable from a timer. */
  expire (now: number = Date.now()): void {
    // Map order is insertion order, and firstAt never changes: the oldest come first.
    for (const [id, entry] of this.#pending) {
      if (now - entry.firstAt < this.#timeoutMs) break
      this.#drop(id, entry)
      this.stats.expired++
    }
  }

  /** Forgets everything (link closed). */
  clear (): void {
    this.#pending.clear()
    this.#pendingBytes = 0
  }

  /** Evicts the oldest other messages until the caps hold; false if `current` alone breaks them. */
  #enforceCaps (currentId: number, current: Pending): boolean {
    const within = (): boolean => this.#pending.size <= this.#maxPendingMessages && this.#pendingBytes <= this.#maxPendingBytes
    for (const [id, entry] of this.#pending) {
      if (within()) return true
      if (entry === current && id === currentId) continue
      this.#drop(id, entry)
      this.stats.evicted++
    }
    return within()
  }

  #drop (id: number, entry: Pending): void {
    this.#pending.delete(id)
    this.#pendingBytes -= entry.bytes
  }

  #reject (reason: WireReason): PushResult {
    this.stats.rejected++
    return { ok: false, reason }
  }
}

function join (pieces: (Uint8Array | undefined)[], length: number): Uint8Array {
  const out = new Uint8Array(length)
  let offset = 0
  for (const piece of pieces) {
    out.set(piece as Uint8Array, offset)
    offset += (piece as Uint8Array).length
  }
  return out
}

/** A whole message off the wire, with the bytes that carried it (to forward without re-encoding). */
export type Frame = { message: Exclude<WireMessage, FragmentMessage>; bytes: Uint8Array }

export type ReceiveResult = { ok: true; frame: Frame | undefined } | { ok: false; reason: WireReason }

/**
 * Decodes every frame one link delivers: plain messages come straight back, fragments are
 * reassembled and the whole message decoded (`frame` is `undefined` while pieces are
 * missing). Never throws on network input.
 *
 * @example
 * const r = decoder.receive(data)
 * if (!r.ok) metrics.dropped(r.reason); else if (r.frame) onMessage(r.frame.message, r.frame.bytes)
 */
export class FrameDecoder {
  readonly reassembler: Reassembler

  constructor (options: ReassemblerOptions = {}) {
    this.reassembler = new Reassembler(options)
  }

  receive (bytes: Uint8Array, now: number = Date.now()): ReceiveResult {
    const decoded = decodeMessage(bytes)
    if (!decoded.ok) return decoded
    const { message } = decoded
    if (message.type !== MessageType.FRAGMENT) return { ok: true, frame: { message, bytes } }
    const pushed = this.reassembler.push(message, now)
    if (!pushed.ok) return pushed
    if (!pushed.done) return { ok: true, frame: undefined }
    const whole = decodeMessage(pushed.bytes)
    if (!whole.ok) return whole
    if (whole.message.type === MessageType.FRAGMENT) return { ok: false, reason: WireReason.NESTED_FRAGMENT }
    return { ok: true, frame: { message: whole.message, bytes: pushed.bytes } }
  }
}
