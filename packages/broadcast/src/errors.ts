/**
 * Errors and rejection reasons, each with a stable string code.
 *
 * Two kinds, kept apart (docs/verification.md):
 * - bad input from the network is a *value*: `{ ok: false, reason }` with a {@link VerifyReason}
 *   or {@link WireReason}; the caller drops it and counts it, nothing throws;
 * - misuse of the API throws: `TypeError` / `RangeError` for a wrong argument (as noble does),
 *   {@link BroadcastError} with an {@link ErrorCode} for a failed operation.
 */

/** Why a block, a chain link or an exported log was rejected. */
export const VerifyReason = {
  /** Bytes that do not parse as a block or an export: wrong lengths, types, out-of-range numbers. */
  MALFORMED: 'MALFORMED',
  /** The header does not start with the domain tag `peer-tree/block/v1`. */
  BAD_TAG: 'BAD_TAG',
  /** The header names another feed key than the one expected. */
  WRONG_FEED: 'WRONG_FEED',
  /** The header's entry count differs from the number of entries carried. */
  COUNT_MISMATCH: 'COUNT_MISMATCH',
  /** An entry's SHA-256 differs from the hash the header lists for it. */
  ENTRY_HASH_MISMATCH: 'ENTRY_HASH_MISMATCH',
  /** The Ed25519 signature does not verify over the header with the feed key. */
  BAD_SIGNATURE: 'BAD_SIGNATURE',
  /** Two validly signed neighbours do not link: prevHash or firstSeq does not follow. */
  CHAIN_MISMATCH: 'CHAIN_MISMATCH',
  /** Two different validly signed blocks for one index. */
  FORK: 'FORK',
  /** Blocks of an exported log are not in increasing index order. */
  OUT_OF_ORDER: 'OUT_OF_ORDER',
  /** An exported log of a version this code does not read. */
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION'
} as const
export type VerifyReason = (typeof VerifyReason)[keyof typeof VerifyReason]

/** Why a wire message or fragment was dropped. */
export const WireReason = {
  /** Not msgpack, or not one of our message shapes (wrong field types or sizes). */
  MALFORMED_MESSAGE: 'MALFORMED_MESSAGE',
  /** A message `type` this version does not know. */
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  /** A reassembled message that is itself a fragment. */
  NESTED_FRAGMENT: 'NESTED_FRAGMENT',
  /** A fragment whose index/total is impossible or over the fragment cap. */
  FRAGMENT_INVALID: 'FRAGMENT_INVALID',
  /** A fragment whose `total` disagrees with earlier fragments of the same id; the message is dropped. */
  FRAGMENT_CONFLICT: 'FRAGMENT_CONFLICT',
  /** A fragment index already received for that id; ignored. */
  FRAGMENT_DUPLICATE: 'FRAGMENT_DUPLICATE',
  /** A message being reassembled grew past the size cap; it is dropped. */
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  /**
   * A BLOCK not in its one canonical encoding (extra fields, padding, wider length headers):
   * blocks are stored and forwarded as received, so only the canonical bytes are accepted.
   */
  NON_CANONICAL_BLOCK: 'NON_CANONICAL_BLOCK'
} as const
export type WireReason = (typeof WireReason)[keyof typeof WireReason]

/**
 * Why a peer's link was dropped for what it did (or failed to do), not for bytes that failed
 * to verify: reported as `'invalid'` like those, with the peer to distrust.
 */
export const PeerReason = {
  /** An upstream delivered far fewer blocks than the other trees brought, for several seconds. */
  UPSTREAM_LAGGING: 'UPSTREAM_LAGGING',
  /** An upstream sent nothing (no block, no HAVE) for several HAVE intervals while the others spoke. */
  UPSTREAM_SILENT: 'UPSTREAM_SILENT',
  /** A downstream peer kept asking (WANT) past its budget of blocks and bytes per second. */
  WANT_BUDGET_EXCEEDED: 'WANT_BUDGET_EXCEEDED'
} as const
export type PeerReason = (typeof PeerReason)[keyof typeof PeerReason]

/** Every reason an `'invalid'` report can carry. */
export type InvalidReason = VerifyReason | WireReason | PeerReason

/** A peer sent something that was rejected, or behaved so that its link was dropped. */
export interface InvalidReport {
  reason: InvalidReason
  /** The tree and peerID of the peer that did it: the peer to distrust. */
  tree: number
  peerID: string
  /** The block index concerned, when there is one. */
  index?: number
}

/** Codes of thrown {@link BroadcastError}s. */
export const ErrorCode = {
  /** The requested backend does not exist in this runtime (node:crypto in a browser). */
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  /** A value msgpackr cannot encode was appended. */
  ENCODE_FAILED: 'ENCODE_FAILED',
  /** An encoded entry is larger than `maxEntryBytes`. */
  ENTRY_TOO_LARGE: 'ENTRY_TOO_LARGE',
  /** The signer failed; the builder stops (continuing would fork or skip sequence numbers). */
  SIGN_FAILED: 'SIGN_FAILED',
  /** The builder already failed or was closed; no more appends. */
  BUILDER_CLOSED: 'BUILDER_CLOSED',
  /** An append to a feed source that was closed. */
  FEED_CLOSED: 'FEED_CLOSED',
  /** The store's last block does not parse: continuing the log from it could fork it. */
  ARCHIVE_CORRUPT: 'ARCHIVE_CORRUPT',
  /** A verified entry whose bytes do not decode (the source signed what it could not encode back); emitted as `'error'`. */
  ENTRY_UNDECODABLE: 'ENTRY_UNDECODABLE',
  /** A replica store that belongs to another feed (its blocks would never verify for this one). */
  REPLICA_WRONG_FEED: 'REPLICA_WRONG_FEED',
  /** A block store that cannot be opened, read or written (no IndexedDB, a failed transaction); `cause` kept. */
  STORE_FAILED: 'STORE_FAILED',
  /** The runtime lacks what video needs (WebCodecs' VideoEncoder or VideoDecoder, a way to read a track's frames). */
  MEDIA_UNSUPPORTED: 'MEDIA_UNSUPPORTED'
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  BACKEND_UNAVAILABLE: 'this Ed25519 backend is not available in this runtime',
  ENCODE_FAILED: 'value cannot be encoded as an entry',
  ENTRY_TOO_LARGE: 'encoded entry is larger than maxEntryBytes',
  SIGN_FAILED: 'signing a block failed',
  BUILDER_CLOSED: 'block builder is closed',
  FEED_CLOSED: 'this feed is closed',
  ARCHIVE_CORRUPT: "the archive's last block does not parse: refusing to continue this log",
  ENTRY_UNDECODABLE: 'an entry does not decode',
  REPLICA_WRONG_FEED: 'this replica belongs to another feed',
  STORE_FAILED: 'the block store failed',
  MEDIA_UNSUPPORTED: 'this runtime cannot encode or decode video'
}

/** An operation failed; `code` is stable, `cause` keeps the underlying error. */
export class BroadcastError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = 'BroadcastError'
  readonly code: C

  constructor (code: C, message?: string, options?: { cause?: unknown }) {
    super(`${code}: ${message ?? DEFAULT_MESSAGES[code]}`, options)
    this.code = code
    const capture = (Error as { captureStackTrace?: (target: object, ctor: unknown) => void }).captureStackTrace
    capture?.(this, new.target)
  }
}

/** What a promise nobody awaits threw, as an Error for an `'error'` event. */
export function toError (err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}
