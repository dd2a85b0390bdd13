/**
 * Prometheus metrics of PeerTreeServer through prom-client, in a registry of their own:
 * `peer-tree-server/metrics`, a separate entry so that prom-client is loaded only by those
 * who use it. Counts are read from each tracked server's `stats()` at every scrape; timings
 * come from the server's `metrics` hooks. No label carries a tree or peer ID (a label value
 * per tree would grow the series without bound).
 *
 * @example
 * const metrics = new PeerTreeMetrics()
 * const treeServer = new PeerTreeServer(io, { metrics })
 * metrics.track(treeServer)
 * // in an HTTP handler for GET /metrics:
 * res.setHeader('Content-Type', metrics.contentType)
 * res.end(await metrics.text())
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Counters } from '../handlers/context.js'
import type { ServerMetrics, StoreOp } from '../observer.js'
import type { ServerStats } from '../peer-tree-server.js'
import { ServerErrorCodes } from '../protocol.js'

export interface PeerTreeMetricsOptions {
  /** Where the metrics are registered. @default a new Registry of its own */
  registry?: Registry
  /** Prefix of every name. @default 'peer_tree_' */
  prefix?: string
}

/** Anything with the server's `stats()`. */
export interface StatsSource {
  stats: () => ServerStats
}

/** Placement is CPU only: tens of microseconds in a small tree, milliseconds in a huge one. */
const PLACEMENT_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1]
/** A store call: microseconds in memory, a network round trip (and retries) for a shared store. */
const STORE_BUCKETS = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

/** The counter of `stats().counters` behind each `<prefix><name>_total`, with its help. */
const COUNTERS: ReadonlyArray<[name: string, counter: keyof Counters, help: string]> = [
  ['creates_total', 'creates', 'Trees created by this process\'s sockets.'],
  ['joins_total', 'joins', 'Members placed by tree:join.'],
  ['leaves_total', 'leaves', 'Members that left: tree:leave, a closed socket without grace, or a grace period that ran out.'],
  ['repairs_total', 'repairs', 'Members re-placed (with their subtrees) because their parent left, or after waiting for a slot.'],
  ['reconnects_total', 'reconnects', 'Members moved to a new parent at their own request (tree:reconnect).'],
  ['failed_links_total', 'failedLinks', 'Links given up: reported failed by the child, not confirmed in time, or over their signal budget.'],
  ['reported_links_total', 'reportedLinks', 'Links a parent reported failed (peer:failed).'],
  ['resumes_total', 'resumes', 'Memberships resumed from a new socket (tree:resume).'],
  ['signals_relayed_total', 'signalsRelayed', 'WebRTC signals relayed between the two ends of a link.'],
  ['signals_dropped_total', 'signalsDropped', 'Signals not relayed: candidates before their SDP, or over a link\'s budget.'],
  ['adopted_total', 'adopted', 'Memberships taken over from another process that died or shut down holding them.']
]

/** The gauge of `stats()` behind each `<prefix><name>`, with its help. */
const GAUGES: ReadonlyArray<[name: string, stat: 'trees' | 'peers' | 'sockets' | 'signalLinks', help: string]> = [
  ['trees', 'trees', 'Trees with a member on this process.'],
  ['members', 'peers', 'Memberships held by this process\'s sockets, parked ones (in their grace period) included.'],
  ['sockets', 'sockets', 'Connected signalling sockets.'],
  ['signal_links', 'signalLinks', 'Links whose signals this process is counting against the per-link budgets.']
]

export class PeerTreeMetrics implements ServerMetrics {
  /** The prom-client registry holding these metrics. */
  readonly registry: Registry
  readonly #servers = new Set<StatsSource>()
  readonly #store: Histogram<'op'>
  readonly #placement: Histogram

  constructor (opts: PeerTreeMetricsOptions = {}) {
    const prefix = opts.prefix ?? 'peer_tree_'
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) throw new TypeError('opts.prefix must be a Prometheus name prefix')
    this.registry = opts.registry ?? new Registry()
    const registers = [this.registry]
    const servers = this.#servers
    const sum = (pick: (s: ServerStats) => number): number => {
      let total = 0
      for (const s of servers) total += pick(s.stats())
      return total
    }
    for (const [name, key, help] of COUNTERS) {
      // eslint-disable-next-line no-new -- registered in `registers`, read through the registry
      new Counter({
        name: prefix + name,
        help,
        registers,
        // The server's counters only grow: the counter is set to their sum at each scrape.
        collect () { this.reset(); this.inc(sum((s) => s.counters[key])) }
      })
    }
    // eslint-disable-next-line no-new -- as above
    new Counter({
      name: `${prefix}errors_total`,
      help: 'tree:error replies sent, by code.',
      labelNames: ['code'] as const,
      registers,
      collect () {
        this.reset()
        for (const code of Object.values(ServerErrorCodes)) this.inc({ code }, sum((s) => s.errors[code]))
      }
    })
    for (const [name, key, help] of GAUGES) {
      // eslint-disable-next-line no-new -- as above
      new Gauge({ name: prefix + name, help, registers, collect () { this.set(sum((s) => s[key])) } })
    }
    this.#placement = new Histogram({
      name: `${prefix}placement_seconds`,
      help: 'Time to decide a placement (the body of a tree:join or tree:reconnect transaction, messages included).',
      buckets: PLACEMENT_BUCKETS,
      registers
    })
    this.#store = new Histogram({
      name: `${prefix}store_seconds`,
      help: 'Time of each tree store call, by operation (a transaction\'s body included).',
      labelNames: ['op'] as const,
      buckets: STORE_BUCKETS,
      registers
    })
  }

  /** Count `server`'s stats in these metrics (several servers are summed). Returns this. */
  track (server: StatsSource): this {
    if (typeof server?.stats !== 'function') throw new TypeError('track() needs a PeerTreeServer')
    this.#servers.add(server)
    return this
  }

  /** Stop counting `server` (its counts leave the totals). */
  untrack (server: StatsSource): void {
    this.#servers.delete(server)
  }

  onStoreCall (op: StoreOp, seconds: number): void {
    this.#store.observe({ op }, seconds)
  }

  onPlacement (seconds: number): void {
    this.#placement.observe(seconds)
  }

  /** The Content-Type of `text()`: Prometheus text format 0.0.4. */
  get contentType (): string {
    return this.registry.contentType
  }

  /** Every metric of the registry in Prometheus text format. */
  async text (): Promise<string> {
    return await this.registry.metrics()
  }
}
