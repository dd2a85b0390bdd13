/**
 * The peer-to-peer wire: a `type` enum, a discriminated union of messages, a msgpack codec,
 * and the split of large messages into FRAGMENTs (rejoined by reassembler.ts).
 *
 * Each message is a msgpack array whose first element is its type (docs/block-format.md):
 *   BLOCK    [0, header, signature, [entry, ...]]
 *   WANT     [1, from, to]                 block indices, inclusive
 *   HAVE     [2, highest, [[from, to], ...]?]
 *   FRAGMENT [3, id, index, total, bytes]
 * Extra trailing elements of WANT, HAVE and FRAGMENT are ignored, so later versions can
 * append fields. A BLOCK is accepted only in its canonical encoding (what encodeMessage
 * writes): it is stored and forwarded as received, so any extra byte would be paid for by
 * every replica and every hop.
 *
 * Decoding never copies: a decoded block's bytes are views into the received message, so
 * verifying and forwarding a block costs no copy (forward the bytes you received).
 * Decoding untrusted bytes never throws; it returns `{ ok: false, reason }`.
 */
import { Packr, Unpackr } from 'msgpackr'
import { assertBytes, assertInteger } from './bytes.js'
import type { RawBlock } from './log/block.js'
import type { IndexRange } from './types.js'
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  FRAGMENT_OVERHEAD_BYTES,
  MAX_HAVE_RANGES,
  MAX_SAFE_U64,
  MIN_MAX_MESSAGE_BYTES
} from './constants.js'
import { WireReason } from './errors.js'

/** Message types on the wire. */
export const MessageType = {
  /** A block: header, signature, entries. */
  BLOCK: 0,
  /** Asks for blocks `from`..`to` (inclusive indices). */
  WANT: 1,
  /** Announces the highest block index held (-1: none) and optionally the ranges held. */
  HAVE: 2,
  /** One piece of a message larger than maxMessageBytes. */
  FRAGMENT: 3
} as const
export type MessageType = (typeof MessageType)[keyof typeof MessageType]

export interface BlockMessage {
  type: typeof MessageType.BLOCK
  block: RawBlock
}
export interface WantMessage {
  type: typeof MessageType.WANT
  from: number
  to: number
}
export interface HaveMessage {
  type: typeof MessageType.HAVE
  /** Highest block index held, -1 when none. */
  highest: number
  /** Ranges held, when the sender has gaps (at most MAX_HAVE_RANGES). */
  ranges?: IndexRange[]
}
export interface FragmentMessage {
  type: typeof MessageType.FRAGMENT
  /** Sender-chosen id of the split message (u32), unique among its unfinished messages. */
  id: number
  /** This piece's position, 0 <= index < total. */
  index: number
  /** Number of pieces, >= 2. */
  total: number
  bytes: Uint8Array
}
export type WireMessage = BlockMessage | WantMessage | HaveMessage | FragmentMessage

const packr = new Packr({ useRecords: false })
// No copyBuffers: binary fields are views into the received bytes (zero copy).
const unpackr = new Unpackr({ useRecords: false })

function isIndex (v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_SAFE_U64
}

function isRange (v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length >= 2 && isIndex(v[0]) && isIndex(v[1]) && v[0] <= v[1]
}

/**
 * Encodes one message (never fragments; see {@link FrameEncoder}). Throws TypeError /
 * RangeError for a malformed message: this is our own output, a bug if wrong.
 */
export function encodeMessage (message: WireMessage): Uint8Array {
  if (typeof message !== 'object' || message === null) throw new TypeError('message must be an object')
  switch (message.type) {
    case MessageType.BLOCK: {
      const { header, signature, entries } = message.block ?? ({} as Partial<RawBlock>)
      assertBytes(header, 'block.header')
      assertBytes(signature, 'block.signature')
      if (!Array.isArray(entries)) throw new TypeError('block.entries must be an array')
      entries.forEach((e, i) => assertBytes(e, `block.entries[${i}]`))
      return packr.pack([MessageType.BLOCK, header, signature, entries])
    }
    case MessageType.WANT:
      assertInteger(message.from, 'from', 0, MAX_SAFE_U64)
      assertInteger(message.to, 'to', message.from, MAX_SAFE_U64)
      return packr.pack([MessageType.WANT, message.from, message.to])
    case MessageType.HAVE: {
      assertInteger(message.highest, 'highest', -1, MAX_SAFE_U64)
      if (message.ranges === undefined) return packr.pack([MessageType.HAVE, message.highest])
      if (!Array.isArray(message.ranges) || message.ranges.length > MAX_HAVE_RANGES || !message.ranges.every(isRange)) {
        throw new RangeError(`ranges must be at most ${MAX_HAVE_RANGES} [from, to] pairs with from <= to`)
      }
      return packr.pack([MessageType.HAVE, message.highest, message.ranges.map((r) => [r[0], r[1]])])
    }
    case MessageType.FRAGMENT:
      assertInteger(message.id, 'id', 0, 0xffff_ffff)
      assertInteger(message.total, 'total', 2, 0xffff_ffff)
      assertInteger(message.index, 'index', 0, message.total - 1)
      assertBytes(message.bytes, 'bytes')
      return packr.pack([MessageType.FRAGMENT, message.id, message.index, message.total, message.bytes])
    default:
      throw new TypeError(`unknown message type ${String((message as { type?: unknown }).type)}`)
  }
}

export type DecodeMessageResult = { ok: true; message: WireMessage } | { ok: false; reason: WireReason }

const MALFORMED = { ok: false, reason: WireReason.MALFORMED_MESSAGE } as const
const NON_CANONICAL = { ok: false, reason: WireReason.NON_CANONICAL_BLOCK } as const

/** Bytes of the shortest msgpack `bin` holding `length` bytes (bin8, bin16, bin32). */
function binBytes (length: number): number {
  return length + (length < 0x100 ? 2 : length < 0x1_0000 ? 3 : 5)
}

/** Bytes of the shortest msgpack array header for `length` elements (fixarray, array16, array32). */
function arrayHeaderBytes (length: number): number {
  return length < 0x10 ? 1 : length < 0x1_0000 ? 3 : 5
}

/**
 * Decodes one wire message from untrusted bytes. Never throws: bytes that are not msgpack or
 * not one of our shapes are `MALFORMED_MESSAGE`, an unknown type is `UNKNOWN_TYPE`.
 * Block fields are only type-checked here; sizes and signatures are verifyBlock's job.
 */
export function decodeMessage (bytes: Uint8Array): DecodeMessageResult {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return MALFORMED
  let value: unknown
  try {
    value = unpackr.unpack(bytes)
  } catch {
    return MALFORMED
  }
  if (!Array.isArray(value) || typeof value[0] !== 'number') return MALFORMED
  switch (value[0]) {
    case MessageType.BLOCK: {
      const [, header, signature, entries] = value as unknown[]
      if (!(header instanceof Uint8Array) || !(signature instanceof Uint8Array) || !Array.isArray(entries)) return MALFORMED
      // The canonical encoding is the shortest one of these four values, and every other
      // encoding (a fifth element, a wider header, junk inside) is longer: comparing lengths
      // proves canonicality without re-encoding.
      let canonical = 2 + binBytes(header.length) + binBytes(signature.length) + arrayHeaderBytes(entries.length)
      for (let i = 0; i < entries.length; i++) {
        const entry: unknown = entries[i]
        if (!(entry instanceof Uint8Array)) return MALFORMED
        canonical += binBytes(entry.length)
      }
      if (bytes.length !== canonical) return NON_CANONICAL
      return { ok: true, message: { type: MessageType.BLOCK, block: { header, signature, entries } } }
    }
    case MessageType.WANT: {
      const [, from, to] = value as unknown[]
      if (!isIndex(from) || !isIndex(to) || from > to) return MALFORMED
      return { ok: true, message: { type: MessageType.WANT, from, to } }
    }
    case MessageType.HAVE: {
      const [, highest, ranges] = value as unknown[]
      if (!(highest === -1 || isIndex(highest))) return MALFORMED
      if (ranges === undefined || ranges === null) return { ok: true, message: { type: MessageType.HAVE, highest } }
      if (!Array.isArray(ranges) || ranges.length > MAX_HAVE_RANGES) return MALFORMED
      const out: IndexRange[] = []
      for (const r of ranges) {
        if (!isRange(r)) return MALFORMED
        out.push([r[0], r[1]])
      }
      return { ok: true, message: { type: MessageType.HAVE, highest, ranges: out } }
    }
    case MessageType.FRAGMENT: {
      const [, id, index, total, piece] = value as unknown[]
      if (
        !isIndex(id) || id > 0xffff_ffff ||
        !isIndex(total) || total < 2 || total > 0xffff_ffff ||
        !isIndex(index) || index >= total ||
        !(piece instanceof Uint8Array) || piece.length === 0
      ) {
        return MALFORMED
      }
      return { ok: true, message: { type: MessageType.FRAGMENT, id, index, total, bytes: piece } }
    }
    default:
      return { ok: false, reason: WireReason.UNKNOWN_TYPE }
  }
}

/** Options of a {@link FrameEncoder}. */
export interface FrameEncoderOptions {
  /**
   * Largest message written to the link; larger encodings are split into FRAGMENTs that fit.
   * @default 16384 (16 KiB, what every browser's data channel delivers intact)
   */
  maxMessageBytes?: number
}

/**
 * Encodes messages for one link, splitting those over `maxMessageBytes` into FRAGMENTs with
 * ids from a per-link counter. One encoder per link (ids are per sender).
 *
 * @example const frames = encoder.encode({ type: MessageType.BLOCK, block }); frames.forEach((f) => peer.send(f))
 */
export class FrameEncoder {
  readonly maxMessageBytes: number
  #nextId = 0

  constructor (options: FrameEncoderOptions = {}) {
    const max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    assertInteger(max, 'maxMessageBytes', MIN_MAX_MESSAGE_BYTES, 0xffff_ffff)
    this.maxMessageBytes = max
  }

  /** The frames that carry `message`: itself when small enough, else its fragments. */
  encode (message: WireMessage): Uint8Array[] {
    return this.split(encodeMessage(message))
  }

  /**
   * The frames that carry already-encoded message bytes (e.g. a received block being
   * forwarded): `[bytes]` when they fit, else FRAGMENTs with this link's next id.
   */
  split (bytes: Uint8Array): Uint8Array[] {
    assertBytes(bytes, 'bytes')
    if (bytes.length <= this.maxMessageBytes) return [bytes]
    const chunk = this.maxMessageBytes - FRAGMENT_OVERHEAD_BYTES
    const total = Math.ceil(bytes.length / chunk)
    const id = this.#nextId
    this.#nextId = (this.#nextId + 1) >>> 0
    const frames: Uint8Array[] = new Array(total)
    for (let index = 0; index < total; index++) {
      const piece = bytes.subarray(index * chunk, Math.min(bytes.length, (index + 1) * chunk))
      frames[index] = packr.pack([MessageType.FRAGMENT, id, index, total, piece])
    }
    return frames
  }
}
