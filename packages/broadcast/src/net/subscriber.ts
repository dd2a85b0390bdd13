/**
 * A subscriber of a feed: receives blocks on every tree, drops copies before any signature
 * check, verifies the rest, forwards each new block down every tree it relays in, delivers
 * entries in order, and backfills what the trees lost. Composed of small parts, each in its
 * own file: the intake (dedup and verification, Intake), what goes down to children
 * (DownLinks: the cache, WANT answers, HAVEs), what upstreams claim (HaveBound), how they
 * perform against each other (UpstreamWatch), what to ask for (OwnBackfill), what children
 * wait for (RelayWants), and the replica (ReplicaWriter). This class wires them to the links.
 *
 * Hot path per arriving block, synchronous with node:crypto: peek the index, drop what the
 * log already holds, dedup on (index, signature), verify, then forward the received bytes
 * unchanged (no re-encoding, no copy) and store.
 */
import { TypedEmitter, toBase64Url } from 'peer-tree-client'
import type { Ed25519 } from '../crypto/ed25519.js'
import { decodeEntry } from '../codec.js'
import { FeedLog } from '../log/feed-log.js'
import { exportLog } from '../log/export.js'
import { peekBlockIndex } from '../log/signable.js'
import type { VerifiedBlock } from '../log/block.js'
import type { Frame } from '../reassembler.js'
import { encodeMessage, MessageType, type BlockMessage } from '../wire.js'
import { equalBytes } from '../bytes.js'
import { BroadcastError, ErrorCode, toError, type InvalidReason, type InvalidReport, type PeerReason } from '../errors.js'
import type { Clock, ClockTimer } from './clock.js'
import { DownLinks } from './down-links.js'
import type { FeedLink } from './feed-link.js'
import type { Forest } from './forest.js'
import { Intake, type Verdict } from './intake.js'
import type { AnyLinkForest, LinkForest } from './link-forest.js'
import { HaveBound } from './have-bound.js'
import { CLAIM_PROOF_MS, CLAIM_WINDOW, DEFAULT_HAVE_INTERVAL_MS, IDLE_TICK_MS, MAX_PENDING_PER_LINK, MAX_PENDING_WANTS, MAX_REWIND_BLOCKS } from './net-constants.js'
import { OwnBackfill } from './own-backfill.js'
import { RelayWants } from './relay-wants.js'
import { ReplicaWriter } from './replica-writer.js'
import { UpstreamWatch } from './upstream-watch.js'
import { DEFAULT_UPSTREAM_WATCH, type Entry, type SubscriberEvents, type SubscriberOptions, type SubscriberStats } from './subscriber-types.js'

export type { InvalidReport }
export type { Entry, LiveRewind, SubscriberStats, SubscriberEvents, SubscriberOptions } from './subscriber-types.js'

/** A feed's subscriber; `F` is what carries its links (a signalled Forest, from Feed.join). */
export class Subscriber<F extends AnyLinkForest = Forest> extends TypedEmitter<SubscriberEvents> {
  /** The subscriber's links; a signalled Forest for Feed.join. */
  readonly forest: F
  /** The feed's Ed25519 public key. */
  readonly feedKey: Uint8Array
  /** The feed's name: its public key in base64url. */
  readonly key: string
  closed = false
  #clock: Clock
  #ed: Ed25519
  #log: FeedLog | undefined
  #intake: Intake
  #down: DownLinks
  #replica: ReplicaWriter | undefined
  /** What this peer asks for itself; RelayWants, what it asks for its children. */
  #backfill: OwnBackfill<FeedLink>
  #relay: RelayWants<FeedLink>
  #claims = new HaveBound<FeedLink>(CLAIM_WINDOW, CLAIM_PROOF_MS)
  #watch: UpstreamWatch<FeedLink>
  /** Links whose opening HAVE was seen (the first message of every link). */
  #opened = new WeakSet<FeedLink>()
  /** False until a block arrives through a tree unasked: the history ends where the trees begin. */
  #live = false
  #opts: SubscriberOptions
  /**
   * The next tick: every `tickMs` while there is something to ask for or retry, every
   * `idleTickMs` otherwise (upstream checks and the idle HAVE need no more). What makes work
   * (a gap, a claim past our end, a relayed WANT) arms the fast tick at once.
   */
  #tick: ClockTimer | undefined
  #fastTick = false
  #stats = { entries: 0, blocks: 0, invalid: 0, gaps: 0, backfilled: 0, served: 0, stale: 0 }
  /** Entries delivered while `Feed.join` has not returned yet, so nobody could listen; see holdEntries(). */
  #held: Entry[] | undefined

  constructor (forest: F, feedKey: Uint8Array, ed25519: Ed25519, opts: SubscriberOptions) {
    super()
    this.forest = forest
    this.feedKey = feedKey
    this.key = toBase64Url(feedKey)
    this.#clock = forest.clock
    this.#ed = ed25519
    this.#opts = opts
    const links = forest as LinkForest
    this.#intake = new Intake(feedKey, ed25519, opts.dedupWindow)
    this.#down = new DownLinks(links, {
      highest: () => this.#highest(),
      blockMessage: (i) => this.#blockMessage(i),
      wantMissing: (link, indices) => this.#wantMissing(link, indices),
      abusive: (link, reason) => this.#dropped(link, reason),
      report: (err) => this.#report(err)
    }, { cacheBlocks: opts.cacheBlocks, maxWantBlocks: opts.maxWantBlocks })
    if (opts.replica !== undefined) this.#replica = new ReplicaWriter(opts.replica, (err) => this.#report(err))
    this.#backfill = new OwnBackfill({ gapGraceMs: opts.gapGraceMs, wantTimeoutMs: opts.wantTimeoutMs, wantBatch: opts.wantBatch, maxInFlight: opts.wantBatch * 8 })
    this.#relay = new RelayWants({ maxWaits: MAX_PENDING_WANTS, maxWaitsPerLink: MAX_PENDING_PER_LINK, ttlMs: opts.wantTimeoutMs * 4, retryMs: opts.wantTimeoutMs })
    this.#watch = new UpstreamWatch(opts.upstreamWatch ?? DEFAULT_UPSTREAM_WATCH)
    if (opts.from !== 'live') this.#startLog(opts.from)
    links.on('frame', this.#onFrame)
    links.on('link', this.#onLink)
    links.on('unlink', this.#onUnlink)
    links.on('malformed', this.#onMalformed)
    this.#armTick(this.#hasWork())
  }

  stats (): SubscriberStats {
    const bytes = this.#down.linkBytes()
    const { stale, served, ...counts } = this.#stats
    const wants = this.#down.wants.stats
    return {
      ...counts,
      duplicates: this.#intake.dedup.stats.duplicates + stale,
      served: served + wants.served,
      refused: wants.refused,
      bytesReceived: bytes.received,
      bytesSent: bytes.sent,
      trees: this.forest.upstreams().length,
      contiguous: this.#log?.deliveredBlocks ?? 0,
      highest: Math.max(this.#highest(), this.#claims.peek()),
      forked: this.#log?.trusted === false
    }
  }

  /** What this peer spends on its peers now: tables a hostile peer could try to grow. */
  spending (): { pendingWaits: number, relayedAsks: number, ownAsks: number, backfillInFlight: number, claimsRefuted: number } {
    return {
      pendingWaits: this.#relay.pending.size,
      relayedAsks: this.#relay.asked,
      ownAsks: this.#backfill.asked,
      backfillInFlight: this.#backfill.planner.inFlight,
      claimsRefuted: this.#claims.refuted
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
    const replica = this.#replica
    const log = this.#log
    if (replica === undefined || log === undefined) return 0
    return await replica.load(this.feedKey, this.#ed, (block) => {
      this.#intake.dedup.add(block.index, block.signature)
      return log.add(block).status === 'added'
    })
  }

  /** Resolves once every delivered block is written to the replica. */
  async flush (): Promise<void> {
    await this.#replica?.flush()
  }

  /** The underlying log (blocks by index, ranges held, forks). */
  get log (): FeedLog | undefined { return this.#log }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.#clock.clear(this.#tick)
    this.#tick = undefined
    const links = this.forest as LinkForest
    links.off('frame', this.#onFrame)
    links.off('link', this.#onLink)
    links.off('unlink', this.#onUnlink)
    links.off('malformed', this.#onMalformed)
    this.#down.close()
    this.forest.close()
  }

  #onLink = (link: FeedLink): void => {
    if (link.direction === 'up') this.#watch.add(link, this.#clock.now())
  }

  #onUnlink = (link: FeedLink): void => {
    this.#backfill.planner.linkGone(link)
    this.#relay.drop(link)
    this.#claims.forget(link)
    this.#watch.remove(link)
  }

  #onMalformed = (link: FeedLink, reason: InvalidReason): void => {
    this.#reject(link, reason)
  }

  /** Reports a peer whose link this node closed for what it did. */
  #dropped (link: FeedLink, reason: PeerReason): void {
    this.#stats.invalid++
    this.emit('invalid', { reason, tree: link.tree, peerID: link.remote })
  }

  /** For promises nobody awaits: a failure becomes an `'error'` event, never an unhandled rejection. */
  #report (err: unknown): void {
    this.emit('error', toError(err))
  }

  /** The highest block index verified here (or loaded from a replica). */
  #highest (): number {
    return Math.max(this.#claims.verified, this.#log?.highestSeen ?? -1)
  }

  /** A block past the cache but still in the log (retention 'all', or a loaded replica). */
  #blockMessage (index: number): Uint8Array | undefined {
    const block = this.#log?.get(index)
    return block === undefined ? undefined : encodeMessage({ type: MessageType.BLOCK, block })
  }

  /** A child wants blocks below our highest that we lack: ask one of our upstreams, further up. */
  #wantMissing (link: FeedLink, indices: number[]): void {
    const now = this.#clock.now()
    const asks = this.#relay.want(link, indices, now)
    this.#wake()
    const pacer = this.#backfill.planner.pacer
    for (const [from, to] of asks) {
      // Within each upstream's pace, like this peer's own asks: what does not fit is not
      // asked now, and the child's own timeout asks again.
      const ups = this.forest.upstreams().filter((u) => pacer.available(u, now) > 0)
      if (ups.length === 0) return
      const up = ups.find((u) => this.#believed(u) >= to) ?? ups[Math.floor(this.#clock.random() * ups.length)] as FeedLink
      const n = pacer.take(up, to - from + 1, now)
      this.#down.sendTo(up, { type: MessageType.WANT, from, to: from + n - 1 })
    }
  }

  #onFrame = (link: FeedLink, frame: Frame): void => {
    const { message } = frame
    switch (message.type) {
      case MessageType.BLOCK:
        if (link.direction === 'up') this.#onBlock(link, message, frame.bytes)
        return
      case MessageType.WANT:
        if (link.direction === 'down') this.#down.wants.onWant(link, message.from, message.to)
        return
      case MessageType.HAVE:
        if (link.direction === 'up') this.#onHave(link, message.highest)
    }
  }

  #startLog (startIndex: number): FeedLog {
    this.#backfill.planner.historyEnd = startIndex
    this.#log = new FeedLog(this.feedKey, {
      startIndex,
      retention: this.#opts.retention,
      onEntry: (e) => {
        this.#stats.entries++
        const decoded = decodeEntry(e.data)
        if (!decoded.ok) this.emit('error', new BroadcastError(ErrorCode.ENTRY_UNDECODABLE, `entry ${e.seq} does not decode`))
        else if (this.#held !== undefined) this.#held.push({ seq: e.seq, data: decoded.value })
        else this.emit('entry', { seq: e.seq, data: decoded.value })
      },
      onFork: (evidence) => this.emit('fork', evidence),
      onError: (err) => this.#report(err)
    })
    return this.#log
  }

  /**
   * A live join's log: from its first block, or from where `rewind` says, read from that
   * verified block (the source's own word, so no peer can move it); the blocks in between are
   * history, asked for at once.
   */
  #startLiveLog (index: number, block: VerifiedBlock): FeedLog {
    const rewind = this.#opts.rewind
    let start = index
    if (rewind !== undefined) {
      try {
        const entries = block.entries.map((e) => { const d = decodeEntry(e); return d.ok ? d.value : undefined })
        const asked = rewind({ index, entries })
        if (Number.isSafeInteger(asked)) start = Math.min(index, Math.max(asked, index - MAX_REWIND_BLOCKS, 0))
      } catch (err) {
        this.#report(err)
      }
    }
    const log = this.#startLog(start)
    this.#backfill.planner.historyEnd = index
    return log
  }

  /**
   * Keeps entries back until releaseEntries(). Feed.join joins the trees before it returns (it
   * waits for its home tree's link), and the other trees may deliver meanwhile: the entries
   * wait for the application's listener instead of going to nobody.
   */
  holdEntries (): void {
    this.#held ??= []
  }

  /** Emits the entries held back, in order, and every later one as it comes. */
  releaseEntries (): void {
    const held = this.#held
    this.#held = undefined
    if (held === undefined || this.closed) return
    for (const entry of held) this.emit('entry', entry)
  }

  /** What an upstream is believed to hold: what it delivered, or its claim within the window. */
  #believed (link: FeedLink): number {
    return Math.max(this.#watch.highOf(link), this.#claims.of(link))
  }

  #onHave (link: FeedLink, highest: number): void {
    const now = this.#clock.now()
    this.#watch.heard(link, now)
    // Never acted on past what this peer verified plus CLAIM_WINDOW: a HAVE is not signed.
    const believed = this.#claims.claim(link, highest, now)
    const opening = !this.#opened.has(link)
    this.#opened.add(link)
    // A link's first HAVE says where its log ended when this peer arrived: what lies below is
    // history no tree will bring again, so a late joiner asks for it at once.
    const log = this.#log
    if (opening && !this.#live && log !== undefined && highest >= log.startIndex) this.#backfill.historyClaimed(highest)
    this.#backfill.planner.noteHighest(believed, now)
    this.#down.passHave(believed)
    this.#wake()
  }

  #onBlock (link: FeedLink, message: BlockMessage, bytes: Uint8Array): void {
    const index = peekBlockIndex(message.block.header)
    const signature = message.block.signature
    if (index === undefined || !(signature instanceof Uint8Array) || signature.length !== 64) {
      this.#reject(link, 'MALFORMED')
      return
    }
    const log = this.#log
    if (log !== undefined && this.#stale(log, link, index, signature)) {
      this.#stats.stale++
      return
    }
    this.#intake.admit(index, message.block, (verdict) => this.#admitted(link, index, verdict, bytes), (err) => this.#report(err))
  }

  /**
   * A block the log already holds with this signature, delivered or let go under the
   * retention, or from before the log's start: dropped before any verification, whatever the
   * dedup window (unless a child waits for it). A held index with another signature is
   * verified: a fork to prove, or a forgery to report.
   */
  #stale (log: FeedLog, link: FeedLink, index: number, signature: Uint8Array): boolean {
    if (index < log.startIndex) return !this.#relay.has(index)
    if (!log.isReceived(index)) return false
    const held = log.get(index)
    if (held === undefined) return !this.#relay.has(index)
    if (!equalBytes(held.signature, signature)) return false
    this.#watch.delivered(link, index, this.#clock.now())
    return true
  }

  #admitted (link: FeedLink, index: number, { result, verified, reason }: Verdict, bytes: Uint8Array): void {
    if (this.closed) return
    if (result === 'rejected') {
      this.#reject(link, reason, index)
      return
    }
    // Only a verified index (or a copy of one) says how far this link and its tree have come.
    const now = this.#clock.now()
    if (result === 'duplicate' || verified === undefined) {
      this.#watch.delivered(link, index, now)
      return
    }
    // Verified and new: forward first (latency), then store and deliver. Children waiting for
    // it (a WANT this peer relayed) are among the downstream links and get it here too.
    this.#down.forward(bytes)
    this.#down.cache.set(index, bytes)
    this.#claims.verify(index)
    const asked = this.#backfill.received(index)
    if (asked) this.#stats.backfilled++
    const waiters = this.#relay.arrived(index)
    for (const w of waiters) if (!w.closed) this.#stats.served++
    const answered = asked || waiters.length > 0
    if (answered) this.#backfill.planner.pacer.answered(link, bytes.length, now)
    this.#watch.delivered(link, index, now, answered)
    if (!answered && !this.#live) {
      // The first block the trees bring: everything before it is history, asked for at once.
      this.#live = true
      const planner = this.#backfill.planner
      planner.historyEnd = Math.max(planner.historyEnd, index)
    }
    const log = this.#log ?? this.#startLiveLog(index, verified)
    this.#stats.blocks++
    const added = log.add(verified)
    if (added.status === 'rejected') this.#reject(link, added.reason, index)
    else if (added.status === 'added') this.#replica?.follow(log, (i) => this.#down.cache.get(i) ?? this.#blockMessage(i))
    this.#backfill.planner.noteHighest(index, now)
    this.#wake()
  }

  #reject (link: FeedLink, reason: InvalidReason, index?: number): void {
    this.#stats.invalid++
    this.emit('invalid', { reason, tree: link.tree, peerID: link.remote, ...(index !== undefined && { index }) })
    // A peer that sends what does not verify is not trusted for this link: drop it, and the
    // tree places this peer elsewhere (the server avoids the parent that failed).
    link.close()
  }

  #armTick (fast: boolean): void {
    this.#clock.clear(this.#tick)
    this.#fastTick = fast
    this.#tick = this.#clock.setTimeout(() => {
      this.#tick = undefined
      if (this.closed) return
      this.#onTick()
      if (!this.closed) this.#armTick(this.#hasWork())
    }, fast ? this.#opts.tickMs : Math.max(this.#opts.tickMs, this.#opts.idleTickMs ?? IDLE_TICK_MS))
  }

  /** Something may have made work: tick fast from now on if it did. */
  #wake (): void {
    if (!this.#fastTick && !this.closed && this.#hasWork()) this.#armTick(true)
  }

  /**
   * Whether the next ticks may have something to ask for or retry: a gap in the log, a
   * believed end past what it holds, asks in flight, or children waiting for relayed blocks.
   */
  #hasWork (): boolean {
    if (this.#relay.pending.size > 0) return true
    const log = this.#log
    if (log === undefined || !log.trusted || !this.#opts.backfill) return false
    if (this.#backfill.asked > 0 || this.#backfill.planner.inFlight > 0) return true
    // Every block below deliveredBlocks was delivered, so one at or below the end is missing.
    return log.deliveredBlocks <= Math.max(log.highestSeen, this.#claims.peek())
  }

  #onTick (): void {
    if (this.closed) return
    const now = this.#clock.now()
    // Upstreams that fail their tree: dropped, so the tree places this peer elsewhere.
    for (const { link, reason } of this.#watch.check(now)) {
      link.close()
      this.#dropped(link, reason)
    }
    // An idle relay still says it is there, so its children can tell it from a silent one.
    if (now - this.#down.lastForwardAt >= DEFAULT_HAVE_INTERVAL_MS && this.forest.downstreams().length > 0) {
      this.#down.forward(encodeMessage({ type: MessageType.HAVE, highest: this.#highest() }))
    }
    this.#askMissing(now)
  }

  #askMissing (now: number): void {
    const log = this.#log
    if (log === undefined || !log.trusted || !this.#opts.backfill) return
    const ups = this.forest.upstreams()
    const upstreams = ups.map((link) => ({ link, tree: link.tree, highest: this.#believed(link) }))
    const high = ups.map((link) => this.#watch.highOf(link))
    const { wants, gaps } = this.#backfill.round(now, log, this.#claims.top(now), upstreams, high)
    for (const [from, to] of gaps) {
      this.#stats.gaps++
      this.emit('gap', { from, to })
    }
    for (const want of wants) this.#down.sendTo(want.link, { type: MessageType.WANT, from: want.from, to: want.to })
  }
}
