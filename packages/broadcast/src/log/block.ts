/**
 * A block: signed header + signature + the entries it lists. Signing, parsing and
 * verifying one block alone, from the feed key (no earlier block needed).
 */
import { assertBytes, equalAt, equalBytes } from '../bytes.js'
import { FEED_KEY_BYTES, HASH_BYTES, SIGNATURE_BYTES } from '../constants.js'
import type { Signer, Verifier } from '../crypto/ed25519.js'
import { sha256 } from '../crypto/hash.js'
import { VerifyReason } from '../errors.js'
import { ENTRY_HASHES_OFFSET, encodeHeader, parseHeader, peekBlockIndex, type ParsedHeader } from './signable.js'

/** A block as it travels: the three parts, nothing derived. */
export interface RawBlock {
  /** The signed header (docs/block-format.md). */
  header: Uint8Array
  /** Ed25519 signature over `header`, 64 bytes. */
  signature: Uint8Array
  /** Each entry's encoded bytes, in sequence order. */
  entries: readonly Uint8Array[]
}

/**
 * A parsed block: the raw parts plus the header's fields (views into `header`, no copies).
 * `entries` is the caller's array and byte views as received; treat all of it as read-only.
 */
export interface Block extends RawBlock, ParsedHeader {}

declare const verifiedBrand: unique symbol
/** A block that passed {@link verifyBlock} (or was made by {@link signBlock}). Only such blocks enter a FeedLog. */
export type VerifiedBlock = Block & { readonly [verifiedBrand]: true }

export type ParseBlockResult = { ok: true; block: Block } | { ok: false; reason: VerifyReason }
export type VerifyBlockResult = { ok: true; block: VerifiedBlock } | { ok: false; reason: VerifyReason }

/**
 * The dedup key of an arriving block, read without parsing or hashing anything:
 * its index and its signature. `undefined` when the header is too short or the signature
 * is not 64 bytes (drop such a block as MALFORMED).
 */
export function peekBlockKey (raw: RawBlock): { index: number; signature: Uint8Array } | undefined {
  const index = peekBlockIndex(raw?.header)
  const signature = raw?.signature
  if (index === undefined || !(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) return undefined
  return { index, signature }
}

/**
 * Parses an untrusted block (from the wire) without any crypto. Never throws:
 * not an object, a header that does not parse, a signature that is not 64 bytes or an
 * entry that is not bytes is `MALFORMED` (`BAD_TAG` for a wrong tag). Whether the entries
 * match the header (count, hashes) is {@link checkBlockContent}'s job.
 */
export function parseBlock (raw: unknown): ParseBlockResult {
  if (typeof raw !== 'object' || raw === null) return { ok: false, reason: VerifyReason.MALFORMED }
  const { header, signature, entries } = raw as Partial<Record<keyof RawBlock, unknown>>
  const parsed = parseHeader(header)
  if (!parsed.ok) return parsed
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES || !Array.isArray(entries)) {
    return { ok: false, reason: VerifyReason.MALFORMED }
  }
  for (let i = 0; i < entries.length; i++) {
    if (!(entries[i] instanceof Uint8Array)) return { ok: false, reason: VerifyReason.MALFORMED }
  }
  return {
    ok: true,
    block: { header: header as Uint8Array, signature, entries: entries as Uint8Array[], ...parsed.header }
  }
}

/**
 * The synchronous checks of a parsed block, in order: the feed key in the header
 * (`WRONG_FEED`), the entry count (`COUNT_MISMATCH`), each entry's hash
 * (`ENTRY_HASH_MISMATCH`). `undefined` when all hold. One SHA-256 per entry, compared in place.
 */
export function checkBlockContent (block: Block, feedKey: Uint8Array): VerifyReason | undefined {
  if (!equalBytes(block.feedKey, feedKey)) return VerifyReason.WRONG_FEED
  const { entries, header } = block
  if (entries.length !== block.count) return VerifyReason.COUNT_MISMATCH
  for (let i = 0; i < entries.length; i++) {
    if (!equalAt(sha256(entries[i] as Uint8Array), header, ENTRY_HASHES_OFFSET + i * HASH_BYTES)) {
      return VerifyReason.ENTRY_HASH_MISMATCH
    }
  }
  return undefined
}

/**
 * Verifies one block from the network alone, in this order: structure (`MALFORMED`,
 * `BAD_TAG`), feed key (`WRONG_FEED`), entry count (`COUNT_MISMATCH`), every entry hash
 * (`ENTRY_HASH_MISMATCH`), the signature over the header (`BAD_SIGNATURE`). Chain links and
 * forks need neighbours: FeedLog checks them. Bad blocks resolve `{ ok: false, reason }`;
 * a wrong `feedKey` or `verifier` argument throws (misuse).
 *
 * @example
 * const r = await verifyBlock(msg, feedKey, ed25519)
 * if (r.ok) feedLog.add(r.block); else metrics.rejected(r.reason)
 */
export async function verifyBlock (raw: unknown, feedKey: Uint8Array, verifier: Verifier): Promise<VerifyBlockResult> {
  if (typeof verifier?.verify !== 'function') throw new TypeError('verifier must have a verify(signature, message, publicKey) method')
  const checked = checkUnsigned(raw, feedKey)
  if (!checked.ok) return checked
  const { block } = checked
  let valid: boolean
  try {
    valid = await verifier.verify(block.signature, block.header, feedKey)
  } catch {
    valid = false
  }
  return signed(block, valid)
}

/**
 * {@link verifyBlock} with a synchronous signature check (an Ed25519 backend's `verifySync`):
 * the same checks in the same order, with no promise in between.
 */
export function verifyBlockSync (
  raw: unknown, feedKey: Uint8Array, verifySync: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean
): VerifyBlockResult {
  if (typeof verifySync !== 'function') throw new TypeError('verifySync must be a function')
  const checked = checkUnsigned(raw, feedKey)
  if (!checked.ok) return checked
  const { block } = checked
  let valid: boolean
  try {
    valid = verifySync(block.signature, block.header, feedKey)
  } catch {
    valid = false
  }
  return signed(block, valid)
}

/** The verdict once the signature was checked. */
function signed (block: Block, valid: boolean): VerifyBlockResult {
  return valid ? { ok: true, block: block as VerifiedBlock } : { ok: false, reason: VerifyReason.BAD_SIGNATURE }
}

/** Everything verifyBlock checks before the signature: structure, feed key, count, entry hashes. */
function checkUnsigned (raw: unknown, feedKey: Uint8Array): ParseBlockResult {
  assertBytes(feedKey, 'feedKey', FEED_KEY_BYTES)
  const parsed = parseBlock(raw)
  if (!parsed.ok) return parsed
  const bad = checkBlockContent(parsed.block, feedKey)
  return bad === undefined ? parsed : { ok: false, reason: bad }
}

/** What the source supplies to sign a block. */
export interface BlockInput {
  feedKey: Uint8Array
  index: number
  firstSeq: number
  /** SHA-256 of the previous block's header; all zeros for block 0. */
  prevHash: Uint8Array
  /** Encoded entries (see encodeEntry), at least one. */
  entries: readonly Uint8Array[]
}

/**
 * Hashes the entries, builds the header and signs it. Throws TypeError/RangeError for bad
 * input and whatever the signer throws.
 *
 * @example const block = await signBlock({ feedKey, index: 0, firstSeq: 0, prevHash: zeroHash(), entries }, secretKey, ed25519)
 */
export async function signBlock (input: BlockInput, secretKey: Uint8Array, signer: Signer): Promise<VerifiedBlock> {
  if (typeof input !== 'object' || input === null) throw new TypeError('input must be an object')
  if (!Array.isArray(input.entries)) throw new TypeError('entries must be an array of Uint8Array')
  if (typeof signer?.sign !== 'function') throw new TypeError('signer must have a sign(message, secretKey) method')
  const entries: readonly Uint8Array[] = input.entries
  const entryHashes = entries.map((entry, i) => {
    assertBytes(entry, `entries[${i}]`)
    return sha256(entry)
  })
  const header = encodeHeader({ ...input, entryHashes })
  const signature = await signer.sign(header, secretKey)
  const parsed = parseHeader(header)
  /* c8 ignore next */
  if (!parsed.ok) throw new Error('internal: encodeHeader produced an unparsable header')
  return { header, signature, entries, ...parsed.header } as VerifiedBlock
}
