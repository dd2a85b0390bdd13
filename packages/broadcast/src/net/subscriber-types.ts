/** The subscriber's public shapes: its entries, stats, events and options. */
import type { InvalidReport } from '../errors.js'
import type { ForkEvidence } from '../log/feed-log.js'
import type { BlockStore } from './block-store.js'
import { UPSTREAM_GRACE_MS, UPSTREAM_LAG_BLOCKS, UPSTREAM_LAG_MS, UPSTREAM_SILENT_MS } from './net-constants.js'
import type { UpstreamWatchOptions } from './upstream-watch.js'

export interface Entry {
  seq: number
  /** The entry's value: bytes come back as Uint8Array, anything else as msgpack decoded it. */
  data: unknown
}

export interface SubscriberStats {
  /** Entries delivered to the application, in order. */
  entries: number
  /** Blocks verified and accepted. */
  blocks: number
  /**
   * Copies dropped before verification: the price of m trees, and blocks the log already
   * holds (or delivered, or let go under its retention) sent again.
   */
  duplicates: number
  /** Blocks or messages rejected, and peers dropped for what they did (each an `'invalid'` report). */
  invalid: number
  /** Missing ranges asked for (first time). */
  gaps: number
  /** Blocks that arrived because this peer asked for them for itself (not for a child). */
  backfilled: number
  /** Blocks WANTed by downstream peers and sent to them. */
  served: number
  /** WANTs of downstream peers refused: past their budget of blocks and bytes per second. */
  refused: number
  bytesReceived: number
  bytesSent: number
  /** Trees in which this peer has a connected upstream now. */
  trees: number
  /** Next block index to deliver; entries below it were all delivered. */
  contiguous: number
  /**
   * Highest block index known to exist: verified here, or claimed by an upstream within
   * CLAIM_WINDOW blocks of that (a claim is never believed further).
   */
  highest: number
  forked: boolean
}

export interface SubscriberEvents {
  entry: (entry: Entry) => void
  /** A missing range is being fetched from other peers. */
  gap: (range: { from: number, to: number }) => void
  /** The source signed two incompatible histories: the feed is no longer trusted. */
  fork: (evidence: ForkEvidence) => void
  /**
   * A peer sent something that failed verification, or did what got its link dropped
   * (an upstream lagging or silent, a child asking past its budget); the link is closed.
   */
  invalid: (report: InvalidReport) => void
  error: (err: Error) => void
}

/**
 * Where a live join's log starts, chosen from the first block the trees brought (verified):
 * its index and its entries' values. A block index at most that one; what lies between is
 * fetched at once.
 */
export type LiveRewind = (first: { index: number, entries: readonly unknown[] }) => number

export interface SubscriberOptions {
  /** First block index wanted (0: the whole history), or 'live': from the first block received. */
  from: number | 'live'
  /** With `from: 'live'`: start earlier than the first block, where this says (at most MAX_REWIND_BLOCKS earlier). */
  rewind?: LiveRewind
  retention: 'all' | { maxBlocks: number }
  gapGraceMs: number
  wantTimeoutMs: number
  wantBatch: number
  cacheBlocks: number
  maxWantBlocks: number
  tickMs: number
  /** The tick while there is nothing to ask for or retry (IDLE_TICK_MS when absent; never below tickMs). */
  idleTickMs?: number
  /** Ask other peers for missing blocks (on by default; off only to measure what it saves). */
  backfill: boolean
  /** Block indices the dedup window remembers (DEFAULT_DEDUP_WINDOW when absent). */
  dedupWindow?: number
  /** Keep every delivered block here, in order (a full replica); requires `from: 0`. */
  replica?: BlockStore
  /** How upstreams are judged against each other (tests shorten it). */
  upstreamWatch?: UpstreamWatchOptions
}

export const DEFAULT_UPSTREAM_WATCH: UpstreamWatchOptions = {
  graceMs: UPSTREAM_GRACE_MS,
  lagBlocks: UPSTREAM_LAG_BLOCKS,
  lagMs: UPSTREAM_LAG_MS,
  silentMs: UPSTREAM_SILENT_MS
}
