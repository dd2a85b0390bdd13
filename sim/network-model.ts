/**
 * How bytes and signals travel in the simulator: the latency and bandwidth model.
 *
 * - Every peer has a round-trip time to the network's core, drawn once from a log-normal
 *   distribution (median `2 × latencyMs`, shape `latencySigma`); a message from a to b takes
 *   (rtt_a + rtt_b) / 4 one way, so the median link latency is about `latencyMs`.
 * - The signalling server sits at the core with a round trip of `serverRttMs`: a message from
 *   p to the server takes rtt_p / 4 + serverRttMs / 2.
 * - Every peer has one upload of a bandwidth class (Mbit/s, drawn by share), shared by all its
 *   links, first come first served: a message leaves once everything sent before it left,
 *   after its own bytes' transmission time.
 * - Every message costs its receiver `messageCostMs` of processing, one message at a time per
 *   peer (the receiver's CPU is a queue too).
 * Messages on one link arrive in the order they were sent, as on an ordered data channel.
 */
import type { EventLoop } from './event-loop.js'
import type { Rng } from './random.js'

export interface BandwidthClass {
  /** Upload in Mbit/s. */
  mbps: number
  /** Share of the peers in this class (the shares are normalised). */
  share: number
}

export interface NetworkOptions {
  /** Median one-way link latency (ms). */
  latencyMs: number
  /** Shape of the log-normal distribution of each peer's round trip. */
  latencySigma: number
  /** The signalling server's own round trip to the core (ms). */
  serverRttMs: number
  uploadClasses: BandwidthClass[]
  /** The source's upload (Mbit/s). */
  sourceMbps: number
  /** Processing per received message (ms). */
  messageCostMs: number
}

/** One direction of a link, as the network carries it. */
export interface Lane {
  readonly from: Endpoint
  readonly to: Endpoint
  /** One-way latency (ms). */
  readonly latency: number
  /** When its last message arrives (ordered: the next one never sooner). */
  lastArrival: number
  /** When its last message left the sender's buffer. */
  left: number
}

/** What the network knows of one peer. */
export interface Endpoint {
  readonly rttMs: number
  /** Upload in bytes per ms. */
  readonly bytesPerMs: number
  /** When its upload is free again. */
  uploadFree: number
  /** When its CPU is free again. */
  cpuFree: number
  /** Bytes it put on the wire. */
  bytesUp: number
  /** Messages it received. */
  messagesIn: number
  /** It crashed: nothing it sends goes anywhere any more. */
  dead?: boolean
}

export class NetworkModel {
  readonly opts: NetworkOptions
  readonly #loop: EventLoop
  readonly #rng: Rng
  readonly #classes: Array<{ bytesPerMs: number, cumulative: number }>
  /** One-way latencies of the links carried so far, sampled (for the report). */
  readonly linkLatencies: number[] = []

  constructor (loop: EventLoop, rng: Rng, opts: NetworkOptions) {
    this.opts = opts
    this.#loop = loop
    this.#rng = rng
    const total = opts.uploadClasses.reduce((n, c) => n + c.share, 0)
    let cumulative = 0
    this.#classes = opts.uploadClasses.map((c) => {
      cumulative += c.share / total
      return { bytesPerMs: mbpsToBytesPerMs(c.mbps), cumulative }
    })
  }

  /** A new peer's place in the network; the source gets `sourceMbps`. */
  endpoint (source = false): Endpoint {
    const rttMs = this.#rng.lognormal(2 * this.opts.latencyMs, this.opts.latencySigma)
    const u = this.#rng.float()
    const cls = this.#classes.find((c) => u < c.cumulative) ?? this.#classes[this.#classes.length - 1]
    const bytesPerMs = source ? mbpsToBytesPerMs(this.opts.sourceMbps) : (cls?.bytesPerMs ?? mbpsToBytesPerMs(10))
    return { rttMs, bytesPerMs, uploadFree: 0, cpuFree: 0, bytesUp: 0, messagesIn: 0 }
  }

  /** One-way latency from a to b (ms). */
  latency (a: Endpoint, b: Endpoint): number {
    return (a.rttMs + b.rttMs) / 4
  }

  /** One-way signalling delay between a peer and the server (ms). */
  toServer (p: Endpoint): number {
    return p.rttMs / 4 + this.opts.serverRttMs / 2
  }

  /** One direction of a link from `from` to `to`. */
  lane (from: Endpoint, to: Endpoint): Lane {
    const latency = this.latency(from, to)
    if (this.linkLatencies.length < 100_000) this.linkLatencies.push(latency)
    return { from, to, latency, lastArrival: 0, left: 0 }
  }

  /**
   * A message of `bytes` bytes sent on `lane` now: takes its turn on the sender's upload and
   * the receiver's CPU, and returns when it arrives (never before the lane's previous
   * message); `lane.left` says when it left the sender's buffer. NaN: a crashed peer's
   * message, lost (and on its ordered links everything after it).
   */
  send (lane: Lane, bytes: number): number {
    const { from, to } = lane
    if (from.dead === true) return NaN
    const now = this.#loop.now
    const start = from.uploadFree > now ? from.uploadFree : now
    const done = start + bytes / from.bytesPerMs
    from.uploadFree = done
    from.bytesUp += bytes
    let at = done + lane.latency
    const cost = this.opts.messageCostMs
    if (cost > 0) {
      const begin = to.cpuFree > at ? to.cpuFree : at
      at = begin + cost
      to.cpuFree = at
    }
    if (at < lane.lastArrival) at = lane.lastArrival
    lane.lastArrival = at
    lane.left = done
    to.messagesIn++
    return at
  }

  /** When a close sent now by `from` reaches `to`. */
  closeDelay (from: Endpoint, to: Endpoint): number {
    return this.latency(from, to)
  }
}

function mbpsToBytesPerMs (mbps: number): number {
  return (mbps * 1e6) / 8 / 1000
}
