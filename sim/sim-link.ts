/**
 * The simulator's links: two ends of a MessageLink whose messages travel on the network
 * model. It behaves as the feed layer's in-memory MessageLink (bufferedAmount, `drain` at
 * the low-water mark, messages in send order, a close reaching the other end one latency
 * later, in-flight messages of a closed end lost), at the cost of one event per message:
 * the model never lets a message overtake the one sent before it on its lane and the event
 * loop runs ties in the order they were scheduled, so an arrival is handed over at once,
 * with no queue per link to keep the order. An end also tells its owner when it closes,
 * whoever closed it, and holds what arrives before the feed layer binds it.
 */
import type { MessageLink, MessageLinkHandlers } from '../packages/broadcast/src/net/message-link.js'
import { LOW_WATER_BYTES } from '../packages/broadcast/src/net/net-constants.js'
import type { EventLoop } from './event-loop.js'
import type { Lane, NetworkModel } from './network-model.js'

/**
 * An upload backlog (bytes, this message included) above which a message's departure from
 * the sender's buffer is its own event; below it, it is folded into the arrival. A quarter
 * of the low-water mark: the feed link never judges itself congested on so little.
 */
const EXACT_LEFT_BYTES = LOW_WATER_BYTES / 4

export class SimLinkEnd implements MessageLink {
  readonly drains = true
  bufferedAmount = 0
  closed = false
  /** Told once when this end closes (by its owner, the feed layer, or the other end). */
  onClosed: () => void = () => {}
  #peer: SimLinkEnd | undefined
  #handlers: MessageLinkHandlers | undefined
  #early: Uint8Array[] = []
  readonly #lane: Lane
  readonly #net: NetworkModel
  readonly #loop: EventLoop

  constructor (lane: Lane, net: NetworkModel, loop: EventLoop) {
    this.#lane = lane
    this.#net = net
    this.#loop = loop
  }

  get writable (): boolean { return !this.closed }

  bind (handlers: MessageLinkHandlers): void {
    this.#handlers = handlers
    const early = this.#early
    this.#early = []
    for (const bytes of early) if (!this.closed) handlers.message(bytes)
    if (this.closed) handlers.close()
  }

  send (bytes: Uint8Array): void {
    if (this.closed) throw new Error('the link is closed')
    const size = bytes.length
    this.bufferedAmount += size
    const now = this.#loop.now
    const at = this.#net.send(this.#lane, size)
    // A crashed sender's message never leaves (nor does anything after it).
    if (Number.isNaN(at)) return
    const left = this.#lane.left
    if ((left - now) * this.#lane.from.bytesPerMs > EXACT_LEFT_BYTES) {
      this.#loop.at(left, () => this.#left(size))
      this.#loop.at(at, () => this.#arrive(bytes, 0))
    } else {
      this.#loop.at(at, () => this.#arrive(bytes, size))
    }
  }

  close (): void {
    if (this.closed) return
    this.#end()
    const peer = this.#peer
    if (peer !== undefined) this.#loop.after(this.#lane.latency, () => peer.#end())
  }

  /** `size` bytes left this end's buffer. */
  #left (size: number): void {
    if (this.closed || size === 0) return
    const before = this.bufferedAmount
    this.bufferedAmount -= size
    if (before > LOW_WATER_BYTES && this.bufferedAmount <= LOW_WATER_BYTES) this.#handlers?.drain()
  }

  /** A message this end sent is at the other end (`size`: its bytes still counted as buffered). */
  #arrive (bytes: Uint8Array, size: number): void {
    if (this.closed) return
    this.#left(size)
    const peer = this.#peer
    if (peer === undefined || peer.closed) return
    if (peer.#handlers === undefined) peer.#early.push(bytes)
    else peer.#handlers.message(bytes)
  }

  #end (): void {
    if (this.closed) return
    this.closed = true
    this.#early = []
    this.bufferedAmount = 0
    this.#handlers?.close()
    this.onClosed()
  }

  /** Two connected ends: the first sends on `forward`, the second on `back`. */
  static pair (forward: Lane, back: Lane, net: NetworkModel, loop: EventLoop): [SimLinkEnd, SimLinkEnd] {
    const a = new SimLinkEnd(forward, net, loop)
    const b = new SimLinkEnd(back, net, loop)
    a.#peer = b
    b.#peer = a
    return [a, b]
  }
}
