/**
 * WANTs from downstream peers that this peer could not answer yet: who waits for which block.
 * When the block arrives it is sent to each waiter once. Bounded: a waiter older than
 * `ttlMs` is forgotten (its own planner asks again elsewhere), and at most `max` waits are held.
 */
export class PendingWants<L> {
  #waiting = new Map<number, Map<L, number>>()
  #count = 0

  constructor (readonly max: number, readonly ttlMs: number) {}

  get size (): number { return this.#count }

  /** Registers `link` as waiting for `index`; false when the table is full. */
  add (index: number, link: L, now: number): boolean {
    let waiters = this.#waiting.get(index)
    if (waiters?.has(link) === true) return true
    if (this.#count >= this.max) {
      this.expire(now)
      if (this.#count >= this.max) return false
    }
    if (waiters === undefined) this.#waiting.set(index, (waiters = new Map()))
    waiters.set(link, now)
    this.#count++
    return true
  }

  has (index: number): boolean {
    return this.#waiting.has(index)
  }

  /** The links waiting for `index`, removed from the table. */
  take (index: number): L[] {
    const waiters = this.#waiting.get(index)
    if (waiters === undefined) return []
    this.#waiting.delete(index)
    this.#count -= waiters.size
    return [...waiters.keys()]
  }

  /** Forgets every wait of `link` (it closed). */
  drop (link: L): void {
    for (const [index, waiters] of this.#waiting) {
      if (waiters.delete(link)) this.#count--
      if (waiters.size === 0) this.#waiting.delete(index)
    }
  }

  expire (now: number): void {
    for (const [index, waiters] of this.#waiting) {
      for (const [link, at] of waiters) {
        if (now - at >= this.ttlMs) { waiters.delete(link); this.#count-- }
      }
      if (waiters.size === 0) this.#waiting.delete(index)
    }
  }
}
