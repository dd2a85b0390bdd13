/**
 * Two ends of an in-memory MessageLink: what one end sends arrives at the other. How bytes
 * travel is the caller's: `carry` is told when each message may leave the sender's buffer and
 * when it arrives (a simulator schedules both on its virtual clock, with latency and upload
 * bandwidth; by default both happen on the next microtask). Messages arrive in the order
 * they were sent, whatever `carry` does, as on an ordered data channel.
 */
import type { MessageLink, MessageLinkHandlers } from './message-link.js'
import { LOW_WATER_BYTES } from './net-constants.js'

/**
 * Moves one message: call `left()` once it left the sender's buffer, then `arrived()` once it
 * is at the receiver (`arrived` alone also counts as left). Never calling them loses the
 * message and everything sent after it on this direction, as a stalled channel would.
 */
export type Carry = (bytes: Uint8Array, left: () => void, arrived: () => void) => void

export interface MemoryLinkOptions {
  /** How messages from the first end to the second travel. @default the next microtask */
  carryForward?: Carry
  /** How messages from the second end to the first travel. @default the next microtask */
  carryBack?: Carry
  /** When a close reaches the other end. @default the next microtask */
  carryClose?: (notify: () => void) => void
  /** Buffered bytes at or under which `drain` fires. @default LOW_WATER_BYTES */
  lowWater?: number
}

const nextMicrotask: Carry = (_bytes, _left, arrived) => queueMicrotask(arrived)

class MemoryEnd implements MessageLink {
  readonly drains = true
  bufferedAmount = 0
  closed = false
  peer: MemoryEnd | undefined
  #handlers: MessageLinkHandlers | undefined
  /** Messages that arrived before bind(): delivered once bound. */
  #early: Uint8Array[] = []
  /** Sent messages in order, each with whether it arrived yet (arrival is in send order). */
  #inFlight: Array<{ bytes: Uint8Array, left: boolean, arrived: boolean }> = []
  readonly #carry: Carry
  readonly #carryClose: (notify: () => void) => void
  readonly #lowWater: number

  constructor (carry: Carry, carryClose: (notify: () => void) => void, lowWater: number) {
    this.#carry = carry
    this.#carryClose = carryClose
    this.#lowWater = lowWater
  }

  get writable (): boolean {
    return !this.closed
  }

  bind (handlers: MessageLinkHandlers): void {
    this.#handlers = handlers
    const early = this.#early
    this.#early = []
    for (const bytes of early) if (!this.closed) handlers.message(bytes)
  }

  send (bytes: Uint8Array): void {
    if (this.closed) throw new Error('the link is closed')
    const sent = { bytes, left: false, arrived: false }
    this.#inFlight.push(sent)
    this.bufferedAmount += bytes.length
    this.#carry(bytes, () => this.#left(sent), () => { this.#left(sent); sent.arrived = true; this.#deliver() })
  }

  close (): void {
    if (this.closed) return
    this.#end()
    const peer = this.peer
    if (peer !== undefined) this.#carryClose(() => peer.#end())
  }

  #left (sent: { bytes: Uint8Array, left: boolean }): void {
    if (sent.left) return
    sent.left = true
    const before = this.bufferedAmount
    this.bufferedAmount -= sent.bytes.length
    if (before > this.#lowWater && this.bufferedAmount <= this.#lowWater && !this.closed) this.#handlers?.drain()
  }

  /** Hands the other end every message that arrived, up to the first still on its way. */
  #deliver (): void {
    while (this.#inFlight.length > 0 && (this.#inFlight[0] as { arrived: boolean }).arrived) {
      const { bytes } = this.#inFlight.shift() as { bytes: Uint8Array }
      const peer = this.peer
      if (!this.closed && peer !== undefined) peer.#receive(bytes)
    }
  }

  #receive (bytes: Uint8Array): void {
    if (this.closed) return
    if (this.#handlers === undefined) this.#early.push(bytes)
    else this.#handlers.message(bytes)
  }

  #end (): void {
    if (this.closed) return
    this.closed = true
    this.#inFlight = []
    this.#early = []
    this.bufferedAmount = 0
    this.#handlers?.close()
  }
}

export type MemoryLink = MessageLink & { readonly closed: boolean }

/** Makes both ends of one in-memory link. */
export function memoryLinkPair (opts: MemoryLinkOptions = {}): [MemoryLink, MemoryLink] {
  const carryClose = opts.carryClose ?? queueMicrotask
  const lowWater = opts.lowWater ?? LOW_WATER_BYTES
  const a = new MemoryEnd(opts.carryForward ?? nextMicrotask, carryClose, lowWater)
  const b = new MemoryEnd(opts.carryBack ?? nextMicrotask, carryClose, lowWater)
  a.peer = b
  b.peer = a
  return [a, b]
}
