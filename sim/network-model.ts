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
 * A message leaves the sender's buffer when its transmission ends (its `left`), or, while the
 * upload holds under EXACT_LEFT_BYTES, when it arrives.
 */
import type { Carry } from '../packages/broadcast/src/net/memory-link.js'
import type { EventLoop } from './event-loop.js'
import type { Rng } from './random.js'

/**
 * An upload backlog (bytes, this message included) above which a message's departure from
 * the sender's buffer is its own event; below it, it is folded into the arrival. A quarter
 * of the feed link's low-water mark: the link never judges itself congested on so little.
 */
const EXACT_LEFT_BYTES = 16 * 1024

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

  /** How one direction of a link from `from` to `to` carries its messages. */
  carry (from: Endpoint, to: Endpoint): Carry {
    const latency = this.latency(from, to)
    if (this.linkLatencies.length < 100_000) this.linkLatencies.push(latency)
    const loop = this.#loop
    const cost = this.opts.messageCostMs
    let lastArrival = 0
    return (bytes, left, arrived) => {
      // A crashed peer's messages are lost (and, on its ordered links, everything after them).
      if (from.dead === true) return
      const now = loop.now
      const start = from.uploadFree > now ? from.uploadFree : now
      const done = start + bytes.length / from.bytesPerMs
      from.uploadFree = done
      from.bytesUp += bytes.length
      let at = done + latency
      if (cost > 0) {
        const begin = to.cpuFree > at ? to.cpuFree : at
        at = begin + cost
        to.cpuFree = at
      }
      if (at < lastArrival) at = lastArrival
      lastArrival = at
      to.messagesIn++
      // `left` is what lowers the sender's bufferedAmount, which matters only once a backlog
      // builds; while the upload holds little, the message leaves its buffer on arrival
      // (`arrived` counts as left), which spares one event per message.
      if ((done - now) * from.bytesPerMs > EXACT_LEFT_BYTES) loop.at(done, left)
      loop.at(at, arrived)
    }
  }

  /** When a close sent now by `from` reaches `to`. */
  closeDelay (from: Endpoint, to: Endpoint): number {
    return this.latency(from, to)
  }
}

function mbpsToBytesPerMs (mbps: number): number {
  return (mbps * 1e6) / 8 / 1000
}
