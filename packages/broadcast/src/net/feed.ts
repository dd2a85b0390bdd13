/**
 * The feed API: `Feed.create` makes a source, `Feed.join` a subscriber. A feed is named by
 * its Ed25519 public key (base64url, 43 characters): that one string is all a subscriber
 * needs. See docs/feed-api.md.
 */
import type { Socket } from 'socket.io-client'
import { DEFAULT_TIMEOUT_MS, toBase64Url, type PeerTreeClientOptions } from 'peer-tree-client'
import { createNodeEd25519, getEd25519, hasNodeEd25519, type Ed25519, type KeyPair } from '../crypto/ed25519.js'
import { fromBase64Url } from './base64url.js'
import { MemoryBlockStore, type BlockStore } from './block-store.js'
import type { FeedLink } from './feed-link.js'
import { Forest, type ForestOptions } from './forest.js'
import { Reassembler, type ReassemblerOptions } from '../reassembler.js'
import { DEFAULT_DEDUP_WINDOW } from '../constants.js'
import { equalBytes } from '../bytes.js'
import { BroadcastError, ErrorCode } from '../errors.js'
import {
  DEFAULT_CACHE_BLOCKS, DEFAULT_FEED_K, DEFAULT_FEED_K1, DEFAULT_GAP_GRACE_MS, DEFAULT_HAVE_INTERVAL_MS,
  DEFAULT_TREES, DEFAULT_WANT_BATCH, DEFAULT_WANT_TIMEOUT_MS, MAX_HAVE_INTERVAL_MS, MAX_TREES
} from './net-constants.js'
import { Source } from './source.js'
import { Subscriber, type LiveRewind } from './subscriber.js'
import { chooseHomeTree, lookupTrees } from './lookup.js'

interface CommonOptions {
  /** `wrtc` implementation for Node (`require('@roamhq/wrtc')`); browsers have WebRTC built in. */
  wrtc?: PeerTreeClientOptions['wrtc']
  /** Other options for every peer connection (simple-peer options, `timeout`). */
  peer?: PeerTreeClientOptions
  /** Ed25519 implementation; by default node:crypto in Node, WebCrypto in browsers that have Ed25519, else @noble/ed25519. */
  ed25519?: Ed25519
  /** Largest message written to a data channel; bigger ones are split. @default 16384 */
  maxMessageBytes?: number
  /**
   * Per-link limits on rejoining fragmented messages (unfinished messages, their bytes, the
   * largest rebuilt message, fragments per message, timeout): what a lying peer can make
   * this peer hold. Defaults in docs/block-format.md.
   */
  reassembly?: ReassemblerOptions
}

export interface CreateFeedOptions extends CommonOptions {
  /** Trees carrying the feed (m). @default 3 */
  trees?: number
  /** Downstream peers per relay in each tree; match it to `trees` (docs/feed-api.md). @default 3 */
  k?: number
  /** Downstream peers of the source in each tree. @default 4 */
  k1?: number
  /** The feed's key pair; a new one is made when absent. Keep it to append to the same feed later. */
  keyPair?: KeyPair
  /** Where every block is kept; `HypercoreArchive` (Node) survives restarts. @default in memory */
  store?: BlockStore
  /** An idle source says where the log ends this often (ms), 10 to 2500: subscribers drop an upstream silent for 5 s. @default 1000 */
  haveIntervalMs?: number
  maxEntriesPerBlock?: number
  maxBlockBytes?: number
}

export interface JoinFeedOptions extends CommonOptions {
  /**
   * Where this subscriber's log starts: `'start'` (default) backfills the whole history,
   * `'live'` starts at the first block that arrives, a number starts at that block index.
   */
  from?: 'start' | 'live' | number
  /**
   * With `from: 'live'`: start the log earlier than the first block that arrives, at the block
   * index this returns for that (verified) block's index and entries, at most 1,024 blocks
   * earlier; the blocks between are fetched at once. peer-tree-broadcast/video's
   * `startAtKeyFrame` starts a player at the latest key frame.
   */
  rewind?: LiveRewind
  /** Trees to join; by default the server is asked how many the feed has. */
  trees?: number
  /** Blocks kept: 'all' (needed to export the whole log) or a bound. @default 'all' */
  retention?: 'all' | { maxBlocks: number }
  /** How long a missing block may stay missing before it is asked for (ms). @default 150 */
  gapGraceMs?: number
  /** How long a WANT may go unanswered before it is asked elsewhere (ms). @default 1000 */
  wantTimeoutMs?: number
  /** Ask other peers for what the trees lost. Turn off only to measure what it saves. @default true */
  backfill?: boolean
  /**
   * Block indices whose keys the dedup window remembers, to drop the m copies from m trees
   * before verifying them; a block the log already holds is dropped before verification
   * whatever this is. @default 8192
   */
  dedupWindow?: number
  /**
   * Keep a full replica: every block, in order, in this store (`FileBlockStore` in Node,
   * `IndexedDbBlockStore` in browsers).
   * Blocks it already holds are verified and loaded first, so a restarted subscriber goes on.
   */
  replica?: BlockStore
}

export type FeedSource = Source
export type FeedSubscriber = Subscriber

/** node:crypto where there is one (fastest per core, no thread-pool hop), else WebCrypto or noble. */
async function defaultEd25519 (): Promise<Ed25519> {
  return hasNodeEd25519() ? createNodeEd25519() : await getEd25519()
}

function clientOptions (opts: CommonOptions): PeerTreeClientOptions {
  return { ...opts.peer, ...(opts.wrtc !== undefined && { wrtc: opts.wrtc }) }
}

/** The forest's options; bad reassembly limits throw here, before anything connects. */
function forestOptions (opts: CommonOptions): ForestOptions {
  if (opts.reassembly !== undefined) void new Reassembler(opts.reassembly)
  return {
    peer: clientOptions(opts),
    ...(opts.maxMessageBytes !== undefined && { maxMessageBytes: opts.maxMessageBytes }),
    ...(opts.reassembly !== undefined && { reassembly: { ...opts.reassembly } })
  }
}

/** Resolves when an upstream link of tree `home` comes up, or after `ms`, whichever is first. */
function homeLinkUp (forest: Forest, home: number, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { clearTimeout(timer); forest.off('link', onLink); resolve() }
    const onLink = (link: FeedLink): void => { if (link.tree === home && link.direction === 'up') done() }
    const timer = setTimeout(done, ms)
    forest.on('link', onLink)
  })
}

function checkCount (value: number, name: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer from ${min} to ${max}`)
}

export const Feed = {
  /**
   * Creates a feed with this peer as its source: m trees on the server, owned by the feed's key.
   * @example const feed = await Feed.create(socket, { wrtc }); share(feed.key); await feed.append({ hello: 'world' })
   */
  async create (socket: Socket, opts: CreateFeedOptions = {}): Promise<Source> {
    const trees = opts.trees ?? DEFAULT_TREES
    const k = opts.k ?? DEFAULT_FEED_K
    const k1 = opts.k1 ?? DEFAULT_FEED_K1
    checkCount(trees, 'trees', 1, MAX_TREES)
    checkCount(k, 'k', 1, 64)
    checkCount(k1, 'k1', 1, 64)
    const haveIntervalMs = opts.haveIntervalMs ?? DEFAULT_HAVE_INTERVAL_MS
    checkCount(haveIntervalMs, 'haveIntervalMs', 10, MAX_HAVE_INTERVAL_MS)
    const ed = opts.ed25519 ?? await defaultEd25519()
    const keyPair = opts.keyPair ?? await ed.generateKeyPair()
    const key = toBase64Url(keyPair.publicKey)
    const forest = new Forest(socket, forestOptions(opts))
    const source = await Source.open(forest, keyPair, ed, opts.store ?? new MemoryBlockStore(), {
      haveIntervalMs,
      cacheBlocks: DEFAULT_CACHE_BLOCKS,
      maxWantBlocks: DEFAULT_WANT_BATCH,
      ...(opts.maxEntriesPerBlock !== undefined && { maxEntriesPerBlock: opts.maxEntriesPerBlock }),
      ...(opts.maxBlockBytes !== undefined && { maxBlockBytes: opts.maxBlockBytes })
    })
    const sign = (bytes: Uint8Array): Promise<Uint8Array> => ed.sign(bytes, keyPair.secretKey)
    try {
      await Promise.all(Array.from({ length: trees }, (_, i) => forest.createTree(i, { publicKey: key, sign }, { k, k1 })))
    } catch (err) {
      source.close()
      throw err
    }
    return source
  },

  /**
   * Joins the feed named `key` on every one of its trees: a relay in one (where relays are
   * fewest) and a leaf in the others. Resolves once placed in a tree.
   * @example const sub = await Feed.join(socket, key, { wrtc }); sub.on('entry', ({ seq, data }) => show(seq, data))
   */
  async join (socket: Socket, key: string, opts: JoinFeedOptions = {}): Promise<Subscriber> {
    const feedKey = fromBase64Url(key)
    if (feedKey?.length !== 32) throw new TypeError('key must be a feed key: 32 bytes in base64url (43 characters)')
    const from = opts.from === undefined || opts.from === 'start' ? 0 : opts.from
    if (from !== 'live') checkCount(from, 'from', 0, Number.MAX_SAFE_INTEGER)
    if (opts.rewind !== undefined && typeof opts.rewind !== 'function') throw new TypeError('rewind must be a function')
    if (opts.rewind !== undefined && from !== 'live') throw new RangeError("rewind moves the start of a live join: use from: 'live'")
    if (opts.replica !== undefined && from !== 0) throw new RangeError("a replica keeps the whole log: use from: 'start'")
    const replicaKey = opts.replica?.feedKey
    if (replicaKey !== undefined && !equalBytes(replicaKey, feedKey)) {
      throw new BroadcastError(ErrorCode.REPLICA_WRONG_FEED, `the replica belongs to feed ${toBase64Url(replicaKey)}, not ${key}`)
    }
    const dedupWindow = opts.dedupWindow ?? DEFAULT_DEDUP_WINDOW
    checkCount(dedupWindow, 'dedupWindow', 1, 1 << 24)
    const ed = opts.ed25519 ?? await defaultEd25519()
    const found = opts.trees === undefined ? await lookupTrees(socket, key) : { trees: opts.trees, relays: [] }
    const trees = found.trees
    checkCount(trees, 'trees', 1, MAX_TREES)
    const forest = new Forest(socket, forestOptions(opts))
    const wantBatch = DEFAULT_WANT_BATCH
    const sub = new Subscriber(forest, feedKey, ed, {
      from,
      ...(opts.rewind !== undefined && { rewind: opts.rewind }),
      retention: opts.retention ?? 'all',
      gapGraceMs: opts.gapGraceMs ?? DEFAULT_GAP_GRACE_MS,
      wantTimeoutMs: opts.wantTimeoutMs ?? DEFAULT_WANT_TIMEOUT_MS,
      wantBatch,
      cacheBlocks: DEFAULT_CACHE_BLOCKS,
      maxWantBlocks: wantBatch,
      tickMs: 50,
      backfill: opts.backfill ?? true,
      dedupWindow,
      ...(opts.replica !== undefined && { replica: opts.replica })
    })
    await sub.loadReplica()
    // From here on the trees may deliver before this returns: hold entries for the caller.
    sub.holdEntries()
    const placed = new Promise<void>((resolve) => forest.once('placed', () => resolve()))
    const home = chooseHomeTree(trees, found.relays)
    // The server counts a relay only once its link works (both ends confirmed it), so the
    // join resolves once the home tree's upstream is up: the next peer's lookup then counts
    // this one. Bounded by the connection timeout, so a slow link delays no one for long.
    const linked = homeLinkUp(forest, home, clientOptions(opts).timeout ?? DEFAULT_TIMEOUT_MS)
    forest.joinTree(key, home, 'relay')
    for (let i = 0; i < trees; i++) if (i !== home) forest.joinTree(key, i, 'leaf')
    await placed
    await linked
    // The caller attaches its listeners when this resolves: the held entries follow right after.
    setTimeout(() => sub.releaseEntries(), 0)
    return sub
  }
}
