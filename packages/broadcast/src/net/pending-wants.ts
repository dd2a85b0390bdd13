/**
 * WANTs from downstream peers that this peer could not answer yet: who waits for which block.
 * When the block arrives it is sent to each waiter once. Bounded: a waiter older than
 * `ttlMs` is forgotten (its own planner asks again elsewhere), at most `max` waits are held,
 * and at most `maxPerLink` for one link, so one peer cannot fill the table for the others.
 *
 * Every operation is O(1) per wait it adds or removes: waits sit in one insertion-ordered set
 * (the ttl is fixed, so insertion order is expiry order) and are indexed by block and by link.
 */
interface Wait<L> {
  index: number
  link: L
  at: number
}

export class PendingWants<L> {
  #byIndex = new Map<number, Map<L, Wait<L>>>()
  #byLink = new Map<L, Map<number, Wait<L>>>()
  /** Every wait, oldest first. */
  #order = new Set<Wait<L>>()

  constructor (readonly max: number, readonly ttlMs: number, readonly maxPerLink: number = max) {}

  get size (): number { return this.#order.size }

  /** Waits held for `link`. */
  sizeOf (link: L): number { return this.#byLink.get(link)?.size ?? 0 }

  /** Registers `link` as waiting for `index`; false when the table (or the link's share) is full. */
  add (index: number, link: L, now: number): boolean {
    this.expire(now)
    let waiters = this.#byIndex.get(index)
    if (waiters?.has(link) === true) return true
    const mine = this.#byLink.get(link)
    if (this.#order.size >= this.max || (mine?.size ?? 0) >= this.maxPerLink) return false
    const wait: Wait<L> = { index, link, at: now }
    if (waiters === undefined) this.#byIndex.set(index, (waiters = new Map()))
    waiters.set(link, wait)
    if (mine === undefined) this.#byLink.set(link, new Map([[index, wait]]))
    else mine.set(index, wait)
    this.#order.add(wait)
    return true
  }

  has (index: number): boolean {
    return this.#byIndex.has(index)
  }

  /** The links waiting for `index`, removed from the table. */
  take (index: number): L[] {
    const waiters = this.#byIndex.get(index)
    if (waiters === undefined) return []
    const links = [...waiters.keys()]
    for (const wait of waiters.values()) this.#remove(wait)
    return links
  }

  /** Forgets every wait of `link` (it closed). */
  drop (link: L): void {
    const mine = this.#byLink.get(link)
    if (mine === undefined) return
    for (const wait of [...mine.values()]) this.#remove(wait)
  }

  /** Forgets the waits older than the ttl: the oldest first, so only expired ones are visited. */
  expire (now: number): void {
    for (const wait of this.#order) {
      if (now - wait.at < this.ttlMs) return
      this.#remove(wait)
    }
  }

  #remove (wait: Wait<L>): void {
    this.#order.delete(wait)
    const waiters = this.#byIndex.get(wait.index)
    if (waiters !== undefined) {
      waiters.delete(wait.link)
      if (waiters.size === 0) this.#byIndex.delete(wait.index)
    }
    const mine = this.#byLink.get(wait.link)
    if (mine !== undefined) {
      mine.delete(wait.index)
      if (mine.size === 0) this.#byLink.delete(wait.link)
    }
  }
}
