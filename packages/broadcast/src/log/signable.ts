/**
 * The ONLY place the signed bytes of a block are built and read.
 *
 * Header layout (fixed, big-endian; docs/block-format.md):
 *
 * | offset | size     | field                                                  |
 * | ------ | -------- | ------------------------------------------------------ |
 * | 0      | 18       | tag, ASCII `peer-tree/block/v1`                        |
 * | 18     | 32       | feedKey (Ed25519 public key)                           |
 * | 50     | 8        | blockIndex (u64)                                       |
 * | 58     | 8        | firstSeq (u64, sequence number of the first entry)     |
 * | 66     | 4        | count (u32, entries in the block, >= 1)                |
 * | 70     | 32       | prevHash (SHA-256 of block index-1's header; zeros for block 0) |
 * | 102    | 32×count | entryHash[i] = SHA-256(entry i's encoded bytes)         |
 *
 * The Ed25519 signature (64 bytes) is over exactly these bytes; a block's hash for the chain
 * is SHA-256 of them. u64 fields hold integers up to 2^53 - 1 (JS numbers are exact there).
 */
import { assertBytes, assertInteger, equalAt, isZero } from '../bytes.js'
import { BLOCK_TAG, FEED_KEY_BYTES, HASH_BYTES, MAX_SAFE_U64, MAX_U32 } from '../constants.js'
import { VerifyReason } from '../errors.js'
import { sha256 } from '../crypto/hash.js'

/** The tag's bytes. */
export const BLOCK_TAG_BYTES: Uint8Array = new TextEncoder().encode(BLOCK_TAG)

export const TAG_OFFSET = 0
export const FEED_KEY_OFFSET = BLOCK_TAG_BYTES.length // 18
export const INDEX_OFFSET = FEED_KEY_OFFSET + FEED_KEY_BYTES // 50
export const FIRST_SEQ_OFFSET = INDEX_OFFSET + 8 // 58
export const COUNT_OFFSET = FIRST_SEQ_OFFSET + 8 // 66
export const PREV_HASH_OFFSET = COUNT_OFFSET + 4 // 70
export const ENTRY_HASHES_OFFSET = PREV_HASH_OFFSET + HASH_BYTES // 102

/** Header size before the entry hashes (102 bytes). */
export const HEADER_FIXED_BYTES = ENTRY_HASHES_OFFSET

/** Header size for `count` entries. */
export function headerLength (count: number): number {
  return HEADER_FIXED_BYTES + HASH_BYTES * count
}

/** What a header binds. */
export interface HeaderFields {
  feedKey: Uint8Array
  index: number
  firstSeq: number
  prevHash: Uint8Array
  /** One 32-byte SHA-256 per entry, in order (count = entryHashes.length >= 1). */
  entryHashes: readonly Uint8Array[]
}

/** A parsed header. Byte fields are views into the header (no copies). */
export interface ParsedHeader {
  feedKey: Uint8Array
  index: number
  firstSeq: number
  count: number
  prevHash: Uint8Array
  /** The `count` entry hashes back to back (count × 32 bytes); see {@link entryHashAt}. */
  entryHashes: Uint8Array
}

function writeU64 (view: DataView, offset: number, value: number): void {
  view.setUint32(offset, Math.floor(value / 0x1_0000_0000))
  view.setUint32(offset + 4, value >>> 0)
}

function readU64 (view: DataView, offset: number): number {
  const hi = view.getUint32(offset)
  const lo = view.getUint32(offset + 4)
  if (hi > 0x1f_ffff) return -1 // above 2^53 - 1
  return hi * 0x1_0000_0000 + lo
}

function viewOf (bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/**
 * Builds the header bytes to sign. Throws TypeError/RangeError for bad fields (this is the
 * source's own input, not network input).
 */
export function encodeHeader (fields: HeaderFields): Uint8Array {
  if (typeof fields !== 'object' || fields === null) throw new TypeError('header fields must be an object')
  const { feedKey, index, firstSeq, prevHash, entryHashes } = fields
  assertBytes(feedKey, 'feedKey', FEED_KEY_BYTES)
  assertInteger(index, 'index', 0, MAX_SAFE_U64)
  assertInteger(firstSeq, 'firstSeq', 0, MAX_SAFE_U64)
  assertBytes(prevHash, 'prevHash', HASH_BYTES)
  if (!Array.isArray(entryHashes)) throw new TypeError('entryHashes must be an array')
  const count = entryHashes.length
  if (count < 1 || count > MAX_U32) throw new RangeError('a block holds at least one entry')
  if (firstSeq > MAX_SAFE_U64 - (count - 1)) throw new RangeError('firstSeq + count exceeds 2^53 - 1')
  if (index === 0 && (firstSeq !== 0 || !isZero(prevHash))) {
    throw new RangeError('block 0 must have firstSeq 0 and an all-zero prevHash')
  }
  if (firstSeq < index) throw new RangeError('firstSeq must be >= index (every block holds an entry)')
  const out = new Uint8Array(headerLength(count))
  const view = viewOf(out)
  out.set(BLOCK_TAG_BYTES, TAG_OFFSET)
  out.set(feedKey, FEED_KEY_OFFSET)
  writeU64(view, INDEX_OFFSET, index)
  writeU64(view, FIRST_SEQ_OFFSET, firstSeq)
  view.setUint32(COUNT_OFFSET, count)
  out.set(prevHash, PREV_HASH_OFFSET)
  for (let i = 0; i < count; i++) {
    const h = entryHashes[i]
    assertBytes(h, `entryHashes[${i}]`, HASH_BYTES)
    out.set(h, ENTRY_HASHES_OFFSET + i * HASH_BYTES)
  }
  return out
}

export type ParseHeaderResult =
  | { ok: true; header: ParsedHeader }
  | { ok: false; reason: typeof VerifyReason.MALFORMED | typeof VerifyReason.BAD_TAG }

/**
 * Parses header bytes from the network. Never throws: a non-Uint8Array, a short or
 * mis-sized header, a count of 0, a u64 above 2^53 - 1, or a block 0 with a non-zero
 * prevHash or firstSeq is `MALFORMED`; a wrong tag is `BAD_TAG`.
 */
export function parseHeader (bytes: unknown): ParseHeaderResult {
  if (!(bytes instanceof Uint8Array) || bytes.length < HEADER_FIXED_BYTES) {
    return { ok: false, reason: VerifyReason.MALFORMED }
  }
  if (!equalAt(BLOCK_TAG_BYTES, bytes, TAG_OFFSET)) return { ok: false, reason: VerifyReason.BAD_TAG }
  const view = viewOf(bytes)
  const index = readU64(view, INDEX_OFFSET)
  const firstSeq = readU64(view, FIRST_SEQ_OFFSET)
  const count = view.getUint32(COUNT_OFFSET)
  if (index < 0 || firstSeq < 0 || count < 1 || firstSeq > MAX_SAFE_U64 - (count - 1)) {
    return { ok: false, reason: VerifyReason.MALFORMED }
  }
  if (bytes.length !== headerLength(count)) return { ok: false, reason: VerifyReason.MALFORMED }
  const prevHash = bytes.subarray(PREV_HASH_OFFSET, PREV_HASH_OFFSET + HASH_BYTES)
  // Every block holds >= 1 entry, so block i starts at seq >= i; block 0 starts the chain.
  if (firstSeq < index || (index === 0 && (firstSeq !== 0 || !isZero(prevHash)))) {
    return { ok: false, reason: VerifyReason.MALFORMED }
  }
  return {
    ok: true,
    header: {
      feedKey: bytes.subarray(FEED_KEY_OFFSET, FEED_KEY_OFFSET + FEED_KEY_BYTES),
      index,
      firstSeq,
      count,
      prevHash,
      entryHashes: bytes.subarray(ENTRY_HASHES_OFFSET)
    }
  }
}

/**
 * The block index of a header without parsing the rest (for dedup before verification).
 * `undefined` when the bytes are too short or the index is out of range. Does not check the tag.
 */
export function peekBlockIndex (header: unknown): number | undefined {
  if (!(header instanceof Uint8Array) || header.length < HEADER_FIXED_BYTES) return undefined
  const index = readU64(viewOf(header), INDEX_OFFSET)
  return index < 0 ? undefined : index
}

/** Entry `i`'s hash as a view into a parsed header's `entryHashes`. */
export function entryHashAt (entryHashes: Uint8Array, i: number): Uint8Array {
  return entryHashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES)
}

/** SHA-256 of a header: what the next block's prevHash must be. */
export function headerHash (header: Uint8Array): Uint8Array {
  return sha256(header)
}

/** A fresh all-zero prevHash, the one block 0 carries. */
export function zeroHash (): Uint8Array {
  return new Uint8Array(HASH_BYTES)
}
