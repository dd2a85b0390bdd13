/**
 * Entry codec. An entry value is a Uint8Array (kept binary) or any value msgpackr encodes
 * (numbers, strings, arrays, plain objects, Date, ...); the entry bytes that are hashed and
 * signed are its msgpack encoding (records extension off, so any msgpack library reads them).
 *
 * Decoding copies binary data: a decoded Uint8Array owns its memory (in Node it is a Buffer,
 * a Uint8Array subclass) instead of pinning the received message, because applications keep
 * entry values for long. Decoding happens on delivery, off the verify-and-forward path.
 */
import { Packr, Unpackr } from 'msgpackr'
import { BroadcastError, ErrorCode } from './errors.js'

/** Packs standard msgpack: no records (the bytes do not depend on msgpackr), smallest map headers. */
const packr = new Packr({ useRecords: false, variableMapSize: true })
/** Unpacks to plain values; binary copied out of the input. */
const unpackr = new Unpackr({ useRecords: false, copyBuffers: true })

/** An entry's value as an application sees it. */
export type EntryValue = unknown

/**
 * Encodes an entry value to the bytes that get hashed and signed. Throws BroadcastError
 * ENCODE_FAILED (cause kept) for values msgpackr cannot encode.
 *
 * @example encodeEntry({ text: 'hi' }); encodeEntry(new Uint8Array([1, 2]))
 */
export function encodeEntry (value: EntryValue): Uint8Array {
  try {
    return packr.pack(value)
  } catch (err) {
    throw new BroadcastError(ErrorCode.ENCODE_FAILED, undefined, { cause: err })
  }
}

export type DecodeEntryResult = { ok: true; value: EntryValue } | { ok: false; reason: 'MALFORMED_ENTRY' }

/**
 * Decodes entry bytes (trusted once the block verified, but still never throws): bytes
 * that are not exactly one msgpack value are `MALFORMED_ENTRY`.
 */
export function decodeEntry (bytes: Uint8Array): DecodeEntryResult {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return { ok: false, reason: 'MALFORMED_ENTRY' }
  try {
    return { ok: true, value: unpackr.unpack(bytes) }
  } catch {
    return { ok: false, reason: 'MALFORMED_ENTRY' }
  }
}
