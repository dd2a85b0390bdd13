/**
 * Checks a whole exported log against a feed key: every block's structure, feed key, entry
 * hashes and signature; increasing index order; no two blocks for one index; every chain
 * link between consecutive indices present. Reports which ranges are present.
 *
 * Blocks are checked in the order they appear and the first failure is reported, with the
 * checks of one block in this order: structure, feed key, entry count, entry hashes,
 * signature, then its relation to the block before it (order, fork, chain link). Signatures
 * are checked `concurrency` at a time.
 */
import { assertBytes, assertInteger, equalBytes } from '../bytes.js'
import { DEFAULT_VERIFY_CONCURRENCY, FEED_KEY_BYTES } from '../constants.js'
import { getEd25519, type Verifier } from '../crypto/ed25519.js'
import { VerifyReason } from '../errors.js'
import type { BlockIndex, IndexRange } from '../types.js'
import { checkBlockContent, parseBlock, type Block } from './block.js'
import { decodeExport } from './export.js'
import { fromBase64Url } from '../net/base64url.js'
import { headerHash, peekBlockIndex } from './signable.js'

export interface VerifyLogOptions {
  /** Signature checker. @default the automatic backend (getEd25519) */
  verifier?: Verifier
  /** Signatures checked at once. @default 64 */
  concurrency?: number
}

export interface VerifyLogReport {
  ok: boolean
  /** Why the log was rejected (absent when ok). */
  reason?: VerifyReason
  /** Position in the export's block list of the first bad block (absent when ok or when the export itself is malformed). */
  position?: number
  /** Block index of the first bad block, when it could be read. */
  blockIndex?: BlockIndex
  /** Blocks that passed every check (all of them when ok; those before the failure otherwise). */
  blocks: number
  /** Entries in those blocks. */
  entries: number
  /** Block index ranges of those blocks. */
  ranges: IndexRange[]
  /** Entry sequence ranges `[firstSeq, lastSeq]` of those blocks. */
  seqRanges: IndexRange[]
  /** True when ok and the blocks run from index 0 without a gap. */
  complete: boolean
}

/**
 * The feed key as 32 bytes, from the bytes or from the 43-character base64url string that
 * names the feed (`feed.key`). Throws TypeError for anything else: a caller's mistake.
 */
export function feedKeyBytes (feedKey: Uint8Array | string): Uint8Array {
  if (typeof feedKey === 'string') {
    const bytes = feedKey.length === 43 ? fromBase64Url(feedKey) : undefined
    if (bytes?.length !== FEED_KEY_BYTES) {
      throw new TypeError('feedKey must be the feed key: 32 bytes, or its 43-character base64url string')
    }
    return bytes
  }
  assertBytes(feedKey, 'feedKey', FEED_KEY_BYTES)
  return feedKey
}

/**
 * Verifies an exported log (exportLog's output, from any peer or the archive). The key is
 * the feed key's 32 bytes or the 43-character string that names the feed.
 *
 * @example
 * const report = await verifyLog(bytes, feed.key)
 * if (!report.ok) console.log(report.reason, 'at block', report.blockIndex)
 */
export async function verifyLog (exported: Uint8Array, key: Uint8Array | string, options: VerifyLogOptions = {}): Promise<VerifyLogReport> {
  assertBytes(exported, 'exported')
  const feedKey = feedKeyBytes(key)
  const concurrency = options.concurrency ?? DEFAULT_VERIFY_CONCURRENCY
  assertInteger(concurrency, 'concurrency', 1, 1 << 16)
  if (options.verifier !== undefined && typeof options.verifier.verify !== 'function') {
    throw new TypeError('verifier must have a verify(signature, message, publicKey) method')
  }
  const verifier = options.verifier ?? (await getEd25519())
  const report = new Report()

  const decoded = decodeExport(exported)
  if (!decoded.ok) return report.fail(decoded.reason)
  const { log } = decoded
  if (!equalBytes(log.key, feedKey)) return report.fail(VerifyReason.WRONG_FEED)

  let prev: { block: Block; hash?: Uint8Array } | undefined
  for (let start = 0; start < log.blocks.length; start += concurrency) {
    const window = log.blocks.slice(start, start + concurrency)
    // Synchronous checks first; signatures only for the blocks before the first failure.
    const checked: Checked[] = []
    for (const raw of window) {
      const p = parseBlock(raw)
      const reason = p.ok ? checkBlockContent(p.block, feedKey) : p.reason
      if (reason !== undefined) {
        checked.push({ reason, index: p.ok ? p.block.index : peekBlockIndex(raw.header) })
        break
      }
      checked.push({ block: (p as { block: Block }).block })
    }
    const signatures = await Promise.all(checked.map((c) => ('block' in c ? safeVerify(verifier, c.block, feedKey) : false)))
    for (let i = 0; i < checked.length; i++) {
      const position = start + i
      const c = checked[i] as Checked
      if (!('block' in c)) return report.fail(c.reason, position, c.index)
      const b = c.block
      if (signatures[i] !== true) return report.fail(VerifyReason.BAD_SIGNATURE, position, b.index)
      if (prev !== undefined) {
        const p = prev.block
        if (b.index < p.index) return report.fail(VerifyReason.OUT_OF_ORDER, position, b.index)
        if (b.index === p.index) {
          // Two validly signed blocks for one index: a fork (a block written twice is malformed).
          const reason = equalBytes(b.header, p.header) ? VerifyReason.MALFORMED : VerifyReason.FORK
          return report.fail(reason, position, b.index)
        }
        if (b.index === p.index + 1) {
          prev.hash ??= headerHash(p.header)
          if (!equalBytes(b.prevHash, prev.hash) || b.firstSeq !== p.firstSeq + p.count) {
            return report.fail(VerifyReason.CHAIN_MISMATCH, position, b.index)
          }
        }
      }
      report.pass(b)
      prev = { block: b }
    }
  }
  return report.finish()
}

type Checked = { block: Block } | { reason: VerifyReason; index: BlockIndex | undefined }

async function safeVerify (verifier: Verifier, block: Block, feedKey: Uint8Array): Promise<boolean> {
  try {
    return (await verifier.verify(block.signature, block.header, feedKey)) === true
  } catch {
    return false
  }
}

class Report {
  #blocks = 0
  #entries = 0
  readonly #ranges: [number, number][] = []
  readonly #seqRanges: [number, number][] = []

  pass (b: Block): void {
    this.#blocks++
    this.#entries += b.count
    extend(this.#ranges, b.index, b.index)
    extend(this.#seqRanges, b.firstSeq, b.firstSeq + b.count - 1)
  }

  fail (reason: VerifyReason, position?: number, blockIndex?: number): VerifyLogReport {
    const out: VerifyLogReport = { ...this.#base(), ok: false, reason, complete: false }
    if (position !== undefined) out.position = position
    if (blockIndex !== undefined) out.blockIndex = blockIndex
    return out
  }

  finish (): VerifyLogReport {
    const first = this.#ranges[0]
    return { ...this.#base(), ok: true, complete: this.#ranges.length === 1 && first !== undefined && first[0] === 0 }
  }

  #base (): Omit<VerifyLogReport, 'ok' | 'complete'> {
    return { blocks: this.#blocks, entries: this.#entries, ranges: this.#ranges, seqRanges: this.#seqRanges }
  }
}

/** Appends [from, to] to ascending ranges, merging when it touches the last one. */
function extend (ranges: [number, number][], from: number, to: number): void {
  const last = ranges[ranges.length - 1]
  if (last !== undefined && from === last[1] + 1) last[1] = to
  else ranges.push([from, to])
}
