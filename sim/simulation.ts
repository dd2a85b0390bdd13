/**
 * One simulated run: a source, its m trees on the simulated server, the initial peers
 * joining, entries appended at a steady rate while peers come and go, then time for the
 * survivors to catch up. Everything happens on one event loop in virtual time, seeded, so a
 * scenario and a seed give one result. Returns what was measured (summarised by report.ts).
 */
import { createNodeEd25519 } from '../packages/broadcast/src/crypto/ed25519.js'
import { DEFAULT_CACHE_BLOCKS, DEFAULT_HAVE_INTERVAL_MS, DEFAULT_WANT_BATCH } from '../packages/broadcast/src/net/net-constants.js'
import type { SubscriberOptions } from '../packages/broadcast/src/net/subscriber-types.js'
import { DEFAULT_LINK_TIMEOUT_MS } from '../packages/tree-server/src/constants.js'
import { toBase64Url } from '../packages/tree-client/src/encoding.js'
import { flashTimes, interiorAt, massDeparture, sessionMs } from './churn-model.js'
import { EventLoop } from './event-loop.js'
import { silentPeer, sourcePeer, subscriberPeer, type FeedPeer, type SourcePeer } from './feed-glue.js'
import { memoizedEd25519, type MemoStats } from './memo-ed25519.js'
import { Metrics, PeerRecord } from './metrics.js'
import { NetworkModel } from './network-model.js'
import { PeerConnections } from './peer-connections.js'
import { PeerNode, type NodeEvents, type NodeKind, type NodeWorld } from './peer-node.js'
import { Rng } from './random.js'
import { summarize, type SimResult } from './report.js'
import type { Scenario } from './scenario.js'
import { SimServer } from './server-driver.js'
import { depthReport, depthsOf, type TreeDepthReport } from './tree-depths.js'

/** How often the simulation looks at its own state (placement done, everyone caught up), in virtual ms. */
const WATCH_MS = 250
/** How often each subscriber's depth is taken from the trees (for latency by depth), in virtual ms. */
const DEPTH_EVERY_MS = 1_000
/** The longest wait for the initial peers to be placed in every tree before appending anyway (ms). */
const PLACEMENT_WAIT_MS = 60_000

export async function simulate (sc: Scenario, log: (line: string) => void = () => {}): Promise<SimResult> {
  const wall0 = performance.now()
  const cpu0 = process.cpuUsage()
  let rssPeak = process.memoryUsage().rss
  const sampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage().rss) }, 200)
  try {
    const run = await Simulation.create(sc)
    await run.play(log)
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
    const cpu = process.cpuUsage(cpu0)
    const result = summarize(run, { wallSeconds: (performance.now() - wall0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMiB: rssPeak / 2 ** 20 })
    run.close()
    return result
  } finally {
    clearInterval(sampler)
  }
}

export class Simulation {
  readonly scenario: Scenario
  readonly loop = new EventLoop()
  readonly net: NetworkModel
  readonly server: SimServer
  readonly links: PeerConnections
  readonly metrics: Metrics
  readonly nodes = new Map<string, PeerNode>()
  readonly records = new Map<PeerNode, PeerRecord>()
  readonly feeds = new Map<PeerNode, FeedPeer>()
  readonly times = { placedMs: NaN, firstAppendMs: NaN, lastAppendMs: NaN, endMs: NaN }
  readonly churn = { departures: 0, arrivals: 0, massDepartures: 0, flash: 0 }
  /** Entries and blocks the source has signed (and sent). */
  readonly signed = { entries: 0, blocks: 0 }
  /** Every tree's depths once the initial peers were placed, before churn and the first append. */
  depthsAtPlacement: TreeDepthReport[] = []
  key = ''
  memo: MemoStats = { hits: 0, real: 0 }
  source: PeerNode | undefined
  #sourceFeed: SourcePeer | undefined
  #world: NodeWorld
  #events: NodeEvents
  #ed: ReturnType<typeof memoizedEd25519>
  #publicKey: Uint8Array = new Uint8Array(32)
  readonly #peerRng: Rng
  readonly #churnRng: Rng
  readonly #pickRng: Rng
  #started = false
  #newcomers = 0

  private constructor (sc: Scenario) {
    this.scenario = sc
    const root = new Rng(sc.seed)
    this.net = new NetworkModel(this.loop, root.fork(), sc.network)
    this.#peerRng = root.fork()
    this.#churnRng = root.fork()
    this.#pickRng = root.fork()
    this.server = new SimServer(this.loop, this.net, { linkTimeoutMs: DEFAULT_LINK_TIMEOUT_MS, maxPeersPerTree: Number.MAX_SAFE_INTEGER })
    this.links = new PeerConnections(this.loop, this.net, { timeoutMs: sc.timeoutMs, handshakeRtts: sc.handshakeRtts }, (id) => this.server.endpointOf(id))
    this.metrics = new Metrics(sc.entries)
    this.#ed = memoizedEd25519(createNodeEd25519(), this.loop, sc.feed.signMs)
    this.memo = this.#ed.memo
    this.#world = { loop: this.loop, net: this.net, server: this.server, links: this.links, key: '', k: sc.k, k1: sc.k1, timeoutMs: sc.timeoutMs, retryMs: 500 }
    this.#events = {
      makeFeed: (node, trees) => this.#makeFeed(node, trees),
      linkUp: (node, tree, direction) => {
        const r = this.records.get(node)
        if (r !== undefined && direction === 'up') this.metrics.repairEnd(r, tree, this.loop.now)
      },
      upstreamLost: (node, tree) => {
        const r = this.records.get(node)
        if (r !== undefined) this.metrics.repairStart(r, tree, this.loop.now)
      }
    }
  }

  /** A run set up: the feed's key pair (from the seed), the source with its trees created. */
  static async create (sc: Scenario): Promise<Simulation> {
    const run = new Simulation(sc)
    const keyRng = new Rng(sc.seed ^ 0x5eed)
    const secretKey = Uint8Array.from({ length: 32 }, () => keyRng.int(256))
    run.#publicKey = await run.#ed.getPublicKey(secretKey)
    run.key = toBase64Url(run.#publicKey)
    run.#world = { ...run.#world, key: run.key }
    const source = new PeerNode('src', 'source', run.net.endpoint(true), run.#world, run.#events, run.#peerRng.fork())
    run.nodes.set(source.name, source)
    run.source = source
    run.#sourceFeed = await sourcePeer(source.clock, run.#ed, { publicKey: run.#publicKey, secretKey }, {
      haveIntervalMs: DEFAULT_HAVE_INTERVAL_MS,
      cacheBlocks: DEFAULT_CACHE_BLOCKS,
      maxWantBlocks: DEFAULT_WANT_BATCH
    })
    run.feeds.set(source, run.#sourceFeed)
    source.createTrees(sc.trees, run.#sourceFeed)
    return run
  }

  /** Joins the initial peers, appends every entry under churn, and waits for the survivors. */
  async play (log: (line: string) => void): Promise<void> {
    const { scenario: sc, loop } = this
    const silent = new Set(this.#pickRng.shuffle(Array.from({ length: sc.peers }, (_, i) => i)).slice(0, Math.round(sc.silent * sc.peers)))
    const initial: PeerNode[] = []
    for (let i = 0; i < sc.peers; i++) {
      const at = 100 + this.#churnRng.float() * sc.joinWindowMs
      loop.at(at, () => { initial.push(this.#spawn(`p${i}`, silent.has(i) ? 'silent' : 'subscriber')) })
    }
    this.#watchDepths()
    // Appending starts once every initial peer has an upstream in every tree (as the demo waits).
    const placed = (): boolean => initial.length === sc.peers && initial.every((n) => n.gone || n.members.every((m) => m.state.upstream?.connected === true))
    await this.#until(placed, 100 + sc.joinWindowMs + PLACEMENT_WAIT_MS)
    this.times.placedMs = loop.now
    this.depthsAtPlacement = this.depthReports()
    log(`${sc.peers} peers placed in ${sc.trees} trees at ${(loop.now / 1000).toFixed(1)} s virtual${placed() ? '' : ' (not all of them: appending anyway)'}, ${loop.ran.toLocaleString('en-US')} events, ${cpuSoFar()}`)
    const t0 = loop.now + 100
    this.times.firstAppendMs = t0
    const every = (1000 * sc.burst) / sc.rate
    for (let g = 0, seq = 0; seq < sc.entries; g++) {
      const first = seq
      const n = Math.min(sc.burst, sc.entries - seq)
      seq += n
      const at = t0 + g * every
      loop.at(at, () => {
        this.#started = true
        for (let i = first; i < first + n; i++) this.#append(i)
      })
      this.times.lastAppendMs = at
    }
    this.#scheduleChurn(initial, t0, this.times.lastAppendMs)
    const complete = (): boolean => this.signed.entries === sc.entries && this.#everyoneCaughtUp()
    await this.#until(complete, this.times.lastAppendMs + sc.drainMs)
    this.times.endMs = loop.now
    log(`run ended at ${(loop.now / 1000).toFixed(1)} s virtual, ${loop.ran.toLocaleString('en-US')} events, ${cpuSoFar()}`)
  }

  /** Depths in every tree now, silent relays left out (they are not the tree's to place well). */
  depthReports (): TreeDepthReport[] {
    const honest = (peerID: string): boolean => this.nodes.get(nameOf(peerID))?.kind !== 'silent'
    const reports: TreeDepthReport[] = []
    for (let t = 0; t < this.scenario.trees; t++) {
      const state = this.server.trees.get(`${this.key}.${t}`)
      if (state !== undefined) reports.push(depthReport(t, state, honest))
    }
    return reports
  }

  /** Stops every peer's feed layer (after the figures were read: a closed node forgets its links). */
  close (): void {
    for (const feed of this.feeds.values()) feed.close()
  }

  #spawn (name: string, kind: NodeKind): PeerNode {
    const node = new PeerNode(name, kind, this.net.endpoint(), this.#world, this.#events, this.#peerRng.fork())
    this.nodes.set(name, node)
    node.join()
    return node
  }

  #makeFeed (node: PeerNode, trees: number): FeedPeer {
    const feed = node.kind === 'silent' ? silentPeer() : this.#newSubscriber(node, trees)
    this.feeds.set(node, feed)
    return feed
  }

  #newSubscriber (node: PeerNode, trees: number): FeedPeer {
    // Present before the first append: owed everything. A newcomer starting at the tip: owed
    // what comes after the log's tip when it joined (its log starts at the next block, `from`);
    // one starting at the start: owed the whole log, history backfilled.
    const fromTip = this.#started && this.scenario.newcomersFrom === 'tip'
    const from = fromTip ? this.signed.blocks : 0
    const rec = new PeerRecord(node.name, this.#started, fromTip ? this.signed.entries : 0, this.metrics.appendedCount, trees)
    this.records.set(node, rec)
    return subscriberPeer(node.clock, this.#ed, this.#publicKey, subscriberOptions(this.scenario, from), (seq) => this.metrics.delivered(rec, seq, this.loop.now))
  }

  #append (seq: number): void {
    const source = this.#sourceFeed?.source
    if (source === undefined) return
    this.metrics.appended(seq, this.loop.now)
    source.append(entryValue(seq, this.scenario.entryBytes)).then((a) => {
      this.signed.entries = Math.max(this.signed.entries, a.seq + 1)
      this.signed.blocks = Math.max(this.signed.blocks, a.blockIndex + 1)
    }, () => {})
    this.loop.settleSoon()
  }

  /** Runs the loop until `done` holds (looked at every WATCH_MS) or virtual time `deadline`. */
  async #until (done: () => boolean, deadline: number): Promise<void> {
    const loop = this.loop
    let met = false
    const look = (): void => {
      if (done()) { met = true; loop.stop(); return }
      if (loop.now + WATCH_MS <= deadline) loop.after(WATCH_MS, look)
    }
    loop.after(WATCH_MS, look)
    await loop.run(deadline, () => met)
  }

  #everyoneCaughtUp (): boolean {
    const owed = this.scenario.entries
    for (const [node, r] of this.records) if (!node.gone && r.delivered < owed - r.fromSeq) return false
    return true
  }

  /** Every second of virtual time, each subscriber's shallowest depth over its trees. */
  #watchDepths (): void {
    const tick = (): void => {
      const best = new Map<string, number>()
      for (let t = 0; t < this.scenario.trees; t++) {
        const state = this.server.trees.get(`${this.key}.${t}`)
        if (state === undefined) continue
        for (const [peerID, d] of depthsOf(state)) {
          const name = nameOf(peerID)
          const b = best.get(name)
          if (d > 0 && (b === undefined || d < b)) best.set(name, d)
        }
      }
      for (const [name, d] of best) {
        const node = this.nodes.get(name)
        const r = node === undefined ? undefined : this.records.get(node)
        if (r !== undefined) r.depth = d
      }
      this.loop.after(DEPTH_EVERY_MS, tick)
    }
    this.loop.after(DEPTH_EVERY_MS, tick)
  }

  /** Session departures (each replaced by a newcomer), the mass departure and the flash crowd, from `from` to `to`. */
  #scheduleChurn (initial: PeerNode[], from: number, to: number): void {
    const { loop, scenario: { churn } } = this
    const rng = this.#churnRng
    const arrive = (): PeerNode => {
      const node = this.#spawn(`n${this.#newcomers++}`, 'subscriber')
      this.churn.arrivals++
      session(node, loop.now)
      return node
    }
    const session = (node: PeerNode, start: number): void => {
      const ends = start + sessionMs(churn, rng)
      if (ends > to) return
      loop.at(ends, () => {
        if (node.gone) return
        this.#depart(node)
        this.churn.departures++
        if (churn.replace) arrive()
      })
    }
    loop.at(from, () => { for (const node of initial) if (!node.gone) session(node, from) })
    const mass = churn.mass
    if (mass !== null) {
      loop.at(from + mass.atMs, () => {
        const present = [...this.nodes.values()].filter((n) => n.kind !== 'source' && !n.gone)
        for (const node of massDeparture(present, mass.fraction, rng)) {
          this.#depart(node)
          this.churn.massDepartures++
        }
      })
    }
    // The churn demo's departures: a random peer that forwards to someone, at given entries.
    const every = (1000 * this.scenario.burst) / this.scenario.rate
    for (const seq of interiorAt(churn.interior, this.scenario.entries)) {
      loop.at(from + Math.floor(seq / this.scenario.burst) * every, () => {
        const interior = [...this.nodes.values()].filter((n) => n.kind === 'subscriber' && !n.gone && this.#forwards(n))
        if (interior.length === 0) return
        this.#depart(rng.pick(interior))
        this.churn.departures++
        arrive()
      })
    }
    const flash = churn.flash
    if (flash !== null) {
      for (const t of flashTimes(flash.peers, flash.overMs, rng)) {
        loop.at(from + flash.atMs + t, () => { arrive(); this.churn.flash++ })
      }
    }
  }

  /** Whether the peer has a child in some tree now (as the server holds it). */
  #forwards (node: PeerNode): boolean {
    return node.members.some((m) => {
      const state = this.server.trees.get(`${this.key}.${m.tree}`)
      const me = m.peerID === null || state === undefined ? undefined : state.members[m.peerID]
      return (me?.children.length ?? 0) > 0
    })
  }

  /** A peer departs; its children in every tree are under repair from now. */
  #depart (node: PeerNode): void {
    if (node.gone) return
    for (const m of node.members) {
      const state = this.server.trees.get(`${this.key}.${m.tree}`)
      const me = m.peerID === null || state === undefined ? undefined : state.members[m.peerID]
      for (const child of me?.children ?? []) {
        const n = this.nodes.get(nameOf(child))
        const r = n === undefined ? undefined : this.records.get(n)
        if (r !== undefined) this.metrics.repairStart(r, m.tree, this.loop.now)
      }
    }
    if (this.scenario.churn.departure === 'crash') node.crash(this.scenario.churn.crashDetectMs)
    else node.leave()
  }
}

/** The process's CPU time so far, for progress lines (the joins and the stream cost differently). */
function cpuSoFar (): string {
  const { user, system } = process.cpuUsage()
  return `${((user + system) / 1e6).toFixed(1)} s CPU so far`
}

/** The peer's name in a member ID (`<name>#<tree>`). */
export function nameOf (peerID: string): string {
  const i = peerID.lastIndexOf('#')
  return i === -1 ? peerID : peerID.slice(0, i)
}

function subscriberOptions (sc: Scenario, from: number): SubscriberOptions {
  return {
    from,
    retention: { maxBlocks: sc.feed.retainBlocks },
    gapGraceMs: sc.feed.gapGraceMs,
    wantTimeoutMs: sc.feed.wantTimeoutMs,
    wantBatch: DEFAULT_WANT_BATCH,
    cacheBlocks: sc.feed.cacheBlocks,
    maxWantBlocks: DEFAULT_WANT_BATCH,
    tickMs: sc.feed.tickMs,
    backfill: sc.backfill,
    dedupWindow: sc.feed.dedupWindow
  }
}

/** Entry `seq`: `bytes` bytes, the seq in the first four (every entry differs). */
function entryValue (seq: number, bytes: number): Uint8Array {
  const v = new Uint8Array(Math.max(4, bytes))
  new DataView(v.buffer).setUint32(0, seq)
  return v
}
