/**
 * A subscriber of a feed: receives blocks on every tree, drops copies before any signature
 * check, verifies the rest, forwards each new block down every tree it relays in, delivers
 * entries in order, and backfills what the trees lost.
 *
 * Hot path per arriving block: peek the index, dedup on (index, signature), verify, then
 * forward the received bytes unchanged (no re-encoding, no copy) and store.
 */
import type { Ed25519 } from '../crypto/ed25519.js'
import { decodeEntry } from '../codec.js'
import { BlockDedup, type AdmitResult } from '../dedup.js'
import { verifyBlock, verifyBlockSync, type VerifiedBlock, type VerifyBlockResult } from '../log/block.js'
import { FeedLog, type ForkEvidence } from '../log/feed-log.js'
import { exportLog } from '../log/export.js'
import { peekBlockIndex } from '../log/signable.js'
import type { Frame } from '../reassembler.js'
import { encodeMessage, MessageType, type BlockMessage } from '../wire.js'
import type { WireReason } from '../errors.js'
import { BackfillPlanner } from './backfill-planner.js'
import type { FeedLink } from './feed-link.js'
import { FeedNode } from './feed-node.js'
import type { Forest } from './forest.js'
import { PendingWants } from './pending-wants.js'
import type { BlockStore } from './block-store.js'
import { loadReplicaBlocks } from './replica-load.js'

export interface Entry {
  seq: number
  /** The entry's value: bytes come back as Uint8Array, anything else as msgpack decoded it. */
  data: unknown
}

export interface InvalidReport {
  /** Why the block or message was rejected (a VerifyReason or WireReason code). */
  reason: string
  /** The tree and peerID of the upstream that sent it: the peer to distrust. */
  tree: number
  peerID: string
  index?: number
}

export interface SubscriberStats {
  /** Entries delivered to the application, in order. */
  entries: number
  /** Blocks verified and accepted. */
  blocks: number
  /** Copies dropped before verification (the price of m trees). */
  duplicates: number
  /** Blocks or messages rejected. */
  invalid: number
  /** Missing ranges asked for (first time). */
  gaps: number
  /** Blocks that arrived because this peer asked for them. */
  backfilled: number
  /** Blocks WANTed by downstream peers and sent to them. */
  served: number
  bytesReceived: number
  bytesSent: number
  /** Trees in which this peer has a connected upstream now. */
  trees: number
  /** Next block index to deliver; entries below it were all delivered. */
  contiguous: number
  /** Highest block index known to exist. */
  highest: number
  forked: boolean
}

export interface SubscriberEvents {
  entry: (entry: Entry) => void
  /** A missing range is being fetched from other peers. */
  gap: (range: { from: number, to: number }) => void
  /** The source signed two incompatible histories: the feed is no longer trusted. */
  fork: (evidence: ForkEvidence) => void
  /** A peer sent something that failed verification (it was dropped, the link closed). */
  invalid: (report: InvalidReport) => void
  error: (err: Error) => void
}

export interface SubscriberOptions {
  /** First block index wanted (0: the whole history), or 'live': from the first block received. */
  from: number | 'live'
  retention: 'all' | { maxBlocks: number }
  gapGraceMs: number
  wantTimeoutMs: number
  wantBatch: number
  cacheBlocks: number
  maxWantBlocks: number
  tickMs: number
  /** Ask other peers for missing blocks (on by default; off only to measure what it saves). */
  backfill: boolean
  /** Keep every delivered block here, in order (a full replica); requires `from: 0`. */
  replica?: BlockStore
}

export class Subscriber extends FeedNode<SubscriberEvents> {
  #ed: Ed25519
  #log: FeedLog | undefined
  #dedup = new BlockDedup()
  #planner: BackfillPlanner<FeedLink>
  #pending: PendingWants<FeedLink>
  #wanted = new Set<number>()
  #treeHighWater = new Map<number, number>()
  #opts: SubscriberOptions
  #tick: ReturnType<typeof setInterval>
  #stats = { entries: 0, blocks: 0, invalid: 0, gaps: 0, backfilled: 0, served: 0 }
  #highestAnnounced = -1
  #replicaWrites: Promise<void> = Promise.resolve()

  constructor (forest: Forest, feedKey: Uint8Array, ed25519: Ed25519, opts: SubscriberOptions) {
    super(forest, feedKey, { cacheBlocks: opts.cacheBlocks, maxWantBlocks: opts.maxWantBlocks })
    this.#ed = ed25519
    this.#opts = opts
    this.#planner = new BackfillPlanner({ gapGraceMs: opts.gapGraceMs, wantTimeoutMs: opts.wantTimeoutMs, wantBatch: opts.wantBatch, maxInFlight: opts.wantBatch * 8 })
    this.#pending = new PendingWants(16_384, opts.wantTimeoutMs * 4)
    if (opts.from !== 'live') this.#startLog(opts.from)
    forest.on('malformed', (link, reason) => this.#reject(link, reason))
    this.#tick = setInterval(() => this.#backfill(), opts.tickMs)
    ;(this.#tick as { unref?: () => void }).unref?.()
  }

  stats (): SubscriberStats {
    const bytes = this.linkBytes()
    return {
      ...this.#stats,
      duplicates: this.#dedup.stats.duplicates,
      bytesReceived: bytes.received,
      bytesSent: bytes.sent,
      trees: this.forest.upstreams().length,
      contiguous: this.#log?.deliveredBlocks ?? 0,
      highest: Math.max(this.#log?.highestSeen ?? -1, this.#highestAnnounced),
      forked: this.#log?.trusted === false
    }
  }

  /** The log this peer holds, as bytes that `verifyLog(bytes, key)` checks (the same shape as the source's). */
  async export (): Promise<Uint8Array> {
    if (this.#log === undefined) throw new Error('nothing received yet')
    return exportLog(this.#log)
  }

  /**
   * Loads the blocks a replica holds from an earlier run, verifying each one: the log goes on
   * from there. Stops at a record that does not load, cuts the replica back to the blocks
   * before it (their bytes are kept by the store) and fetches the rest from peers.
   * Called by Feed.join before joining the trees; resolves with the blocks loaded.
   */
  async loadReplica (): Promise<number> {
    const replica = this.#opts.replica
    const log = this.#log
    if (replica === undefined || log === undefined) return 0
    const loaded = await loadReplicaBlocks(replica, this.feedKey, this.#ed, (block) => {
      this.#dedup.add(block.index, block.signature)
      return log.add(block).status === 'added'
    })
    return loaded.loaded
  }

  /** Resolves once every delivered block is written to the replica. */
  async flush (): Promise<void> {
    await this.#replicaWrites
  }

  /** The underlying log (blocks by index, ranges held, forks). */
  get log (): FeedLog | undefined { return this.#log }

  override close (): void {
    clearInterval(this.#tick)
    super.close()
  }

  protected override onUnlink (link: FeedLink): void {
    this.#planner.linkGone(link)
    this.#pending.drop(link)
  }

  protected highest (): number {
    return this.#log?.highestSeen ?? -1
  }

  /** A block past the cache but still in the log (retention 'all', or a loaded replica). */
  protected blockMessage (index: number): Uint8Array | undefined {
    const block = this.#log?.get(index)
    return block === undefined ? undefined : encodeMessage({ type: MessageType.BLOCK, block })
  }

  protected wantMissing (link: FeedLink, indices: number[]): void {
    const now = Date.now()
    const ask: number[] = []
    for (const i of indices) {
      if (!this.#pending.add(i, link, now)) break
      if (!this.#wanted.has(i)) ask.push(i)
    }
    // Ask one of our own upstreams for what our child wants and we lack: further up the tree.
    const ups = this.forest.upstreams()
    if (ask.length === 0 || ups.length === 0) return
    for (const [from, to] of runs(ask)) {
      const up = ups.find((u) => u.remoteHighest >= to) ?? ups[Math.floor(Math.random() * ups.length)] as FeedLink
      for (let i = from; i <= to; i++) this.#wanted.add(i)
      this.sendTo(up, { type: MessageType.WANT, from, to })
    }
  }

  protected onFrame (link: FeedLink, frame: Frame): void {
    const { message } = frame
    switch (message.type) {
      case MessageType.BLOCK:
        if (link.direction === 'up') this.#onBlock(link, message, frame.bytes)
        return
      case MessageType.WANT:
        if (link.direction === 'down') {
          this.answerWant(link, message.from, message.to).then((sent) => { this.#stats.served += sent }, (err: unknown) => this.report(err))
        }
        return
      case MessageType.HAVE:
        if (link.direction === 'up') this.#onHave(link, message.highest)
    }
  }

  #startLog (startIndex: number): FeedLog {
    this.#planner.historyEnd = startIndex
    this.#log = new FeedLog(this.feedKey, {
      startIndex,
      retention: this.#opts.retention,
      onEntry: (e) => {
        this.#stats.entries++
        const decoded = decodeEntry(e.data)
        if (decoded.ok) this.emit('entry', { seq: e.seq, data: decoded.value })
        else this.emit('error', new Error(`entry ${e.seq} does not decode`))
      },
      onFork: (evidence) => this.emit('fork', evidence),
      onError: (err) => this.report(err)
    })
    return this.#log
  }

  #onHave (link: FeedLink, highest: number): void {
    if (highest > link.remoteHighest) link.remoteHighest = highest
    if (highest > this.#highestAnnounced) this.#highestAnnounced = highest
    const log = this.#log ?? (this.#opts.from === 'live' && highest >= 0 ? this.#startLog(highest + 1) : undefined)
    if (log !== undefined && highest >= log.startIndex) log.announce(highest)
    this.#planner.noteHighest(highest, Date.now())
    this.passHave(highest)
  }

  #onBlock (link: FeedLink, message: BlockMessage, bytes: Uint8Array): void {
    const index = peekBlockIndex(message.block.header)
    const signature = message.block.signature
    if (index === undefined || !(signature instanceof Uint8Array) || signature.length !== 64) {
      this.#reject(link, 'MALFORMED')
      return
    }
    let verified: VerifiedBlock | undefined
    let reason = 'BAD_SIGNATURE'
    const note = (r: VerifyBlockResult): boolean => {
      if (r.ok) verified = r.block
      else reason = r.reason
      return r.ok
    }
    // Hot path: with a synchronous verifier (node:crypto), dedup, verify and forward happen in
    // one turn, with no promise in between; a copy already being verified takes the async path.
    const sync = this.#ed.verifySync
    const now = sync === undefined
      ? undefined
      : this.#dedup.admitSync(index, signature, () => note(verifyBlockSync(message.block, this.feedKey, sync)))
    if (now !== undefined) {
      this.#admitted(link, index, now, verified, reason, bytes)
      return
    }
    this.#dedup.admit(index, signature, async () => note(await verifyBlock(message.block, this.feedKey, this.#ed)))
      .then((result) => { this.#admitted(link, index, result, verified, reason, bytes) })
      .catch((err: unknown) => this.report(err))
  }

  #admitted (link: FeedLink, index: number, result: AdmitResult, verified: VerifiedBlock | undefined, reason: string, bytes: Uint8Array): void {
    if (this.closed) return
    if (result === 'rejected') {
      this.#reject(link, reason, index)
      return
    }
    // Only a verified index (or a copy of one) says how far this link and its tree have come.
    if (index > link.remoteHighest) link.remoteHighest = index
    if (index > (this.#treeHighWater.get(link.tree) ?? -1)) this.#treeHighWater.set(link.tree, index)
    if (result === 'duplicate' || verified === undefined) return
    // Verified and new: forward first (latency), then store and deliver.
    this.forwardDown(bytes)
    this.cache.set(index, bytes)
    for (const waiter of this.#pending.take(index)) {
      if (!waiter.closed) { waiter.send(bytes); this.#stats.served++ }
    }
    if (this.#wanted.delete(index)) this.#stats.backfilled++
    this.#planner.received(index)
    const log = this.#log ?? this.#startLog(index)
    this.#stats.blocks++
    const added = log.add(verified)
    if (added.status === 'rejected') this.#reject(link, added.reason, index)
    else if (added.status === 'added') this.#replicate(log)
    this.#planner.noteHighest(index, Date.now())
  }

  /** Appends newly delivered blocks to the replica, in order. */
  #replicate (log: FeedLog): void {
    const replica = this.#opts.replica
    if (replica === undefined) return
    while (replica.length < log.deliveredBlocks) {
      const index = replica.length
      const bytes = this.cache.get(index) ?? this.blockMessage(index)
      if (bytes === undefined) break
      const write = replica.append(index, bytes)
      this.#replicaWrites = this.#replicaWrites.then(() => write).catch((err: unknown) => this.report(err))
    }
  }

  #reject (link: FeedLink, reason: WireReason | string, index?: number): void {
    this.#stats.invalid++
    this.emit('invalid', { reason, tree: link.tree, peerID: link.remote, ...(index !== undefined && { index }) })
    // A peer that sends what does not verify is not trusted for this link: drop it, and the
    // tree places this peer elsewhere (the server avoids the parent that failed).
    link.close()
  }

  #backfill (): void {
    const log = this.#log
    if (log === undefined || this.closed || !log.trusted || !this.#opts.backfill) return
    const missing = log.missing(64)
    if (missing.length === 0) return
    const now = Date.now()
    const upstreams = this.forest.upstreams().map((link) => ({ link, tree: link.tree, highest: link.remoteHighest }))
    const high = [...new Set(upstreams.map((u) => u.tree))].map((t) => this.#treeHighWater.get(t) ?? -1)
    for (const want of this.#planner.plan(now, missing, upstreams, high)) {
      let fresh = false
      for (let i = want.from; i <= want.to; i++) {
        if (!this.#wanted.has(i)) { this.#wanted.add(i); fresh = true }
      }
      if (fresh) {
        this.#stats.gaps++
        this.emit('gap', { from: want.from, to: want.to })
      }
      this.sendTo(want.link, { type: MessageType.WANT, from: want.from, to: want.to })
    }
  }
}

/** Consecutive runs of sorted indices as [from, to] ranges. */
function runs (sorted: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const i of sorted) {
    const last = out[out.length - 1]
    if (last !== undefined && last[1] + 1 === i) last[1] = i
    else out.push([i, i])
  }
  return out
}
