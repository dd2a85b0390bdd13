/**
 * The exported-log format: one msgpack map (docs/block-format.md)
 *   { version: 1, key: <32 bytes>, blocks: [{ header, signature, entries: [bytes, ...] }, ...] }
 * with blocks in increasing index order. Any peer's log (a full replica, a partial cache,
 * the archive) exports to it, and verifyLog checks it.
 */
import { Packr, Unpackr } from 'msgpackr'
import { assertBytes } from '../bytes.js'
import { EXPORT_VERSION, FEED_KEY_BYTES } from '../constants.js'
import { VerifyReason } from '../errors.js'
import type { RawBlock, VerifiedBlock } from './block.js'
import type { FeedLog } from './feed-log.js'

/** A decoded export, shape-checked but not verified. */
export interface ExportedLog {
  version: number
  key: Uint8Array
  blocks: RawBlock[]
}

const packr = new Packr({ useRecords: false })
// No copyBuffers: verifying reads the bytes in place.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true })

/**
 * Encodes blocks of one feed as an export. Blocks are written in the order given (callers
 * pass increasing index order; verifyLog rejects anything else as OUT_OF_ORDER).
 */
export function encodeExport (feedKey: Uint8Array, blocks: Iterable<RawBlock>): Uint8Array {
  assertBytes(feedKey, 'feedKey', FEED_KEY_BYTES)
  const list: { header: Uint8Array; signature: Uint8Array; entries: readonly Uint8Array[] }[] = []
  for (const b of blocks) list.push({ header: b.header, signature: b.signature, entries: b.entries })
  return packr.pack({ version: EXPORT_VERSION, key: feedKey, blocks: list })
}

/**
 * Exports a FeedLog: its stored blocks in index order and, when it forked, the evidence
 * blocks too (so the export proves the fork to whoever verifies it).
 *
 * @example fs.writeFileSync('feed.log', exportLog(feedLog)); await verifyLog(bytes, feedKey)
 */
export function exportLog (feedLog: FeedLog): Uint8Array {
  const blocks: VerifiedBlock[] = [...feedLog.blocks()]
  const extra: VerifiedBlock[] = []
  for (const fork of feedLog.forks) {
    for (const b of fork.blocks) if (!blocks.includes(b) && !extra.includes(b)) extra.push(b)
  }
  if (extra.length > 0) {
    // Stable sort by index: a stored block comes before the evidence block for the same index.
    const all = blocks.concat(extra)
    const order = new Map(all.map((b, i) => [b, i]))
    all.sort((a, b) => a.index - b.index || (order.get(a) as number) - (order.get(b) as number))
    return encodeExport(feedLog.feedKey, all)
  }
  return encodeExport(feedLog.feedKey, blocks)
}

export type DecodeExportResult =
  | { ok: true; log: ExportedLog }
  | { ok: false; reason: typeof VerifyReason.MALFORMED | typeof VerifyReason.UNSUPPORTED_VERSION }

/** Decodes export bytes; never throws. Block contents are checked by verifyLog, not here. */
export function decodeExport (bytes: Uint8Array): DecodeExportResult {
  const malformed = { ok: false, reason: VerifyReason.MALFORMED } as const
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return malformed
  let value: unknown
  try {
    value = unpackr.unpack(bytes)
  } catch {
    return malformed
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return malformed
  const { version, key, blocks } = value as Record<string, unknown>
  if (version !== EXPORT_VERSION) {
    return typeof version === 'number' ? { ok: false, reason: VerifyReason.UNSUPPORTED_VERSION } : malformed
  }
  if (!(key instanceof Uint8Array) || key.length !== FEED_KEY_BYTES || !Array.isArray(blocks)) return malformed
  const out: RawBlock[] = []
  for (const b of blocks) {
    if (typeof b !== 'object' || b === null) return malformed
    const { header, signature, entries } = b as Record<string, unknown>
    if (!(header instanceof Uint8Array) || !(signature instanceof Uint8Array) || !Array.isArray(entries)) return malformed
    out.push({ header, signature, entries: entries as Uint8Array[] })
  }
  return { ok: true, log: { version, key, blocks: out } }
}
