/**
 * WANTs from downstream peers that this peer could not answer yet: who waits for which block.
 * When the block arrives it is sent to each waiter once. Bounded: a waiter older than
 * `ttlMs` is forgotten (its own planner asks again elsewhere), at most `max` waits are held,
 * and at most `maxPerLink` for one link, so one peer cannot fill the table for the others.
 *
 * Every operation is O(1) per wait it adds or removes (amortised): waits sit in one queue in
 * the order they were made (the ttl is fixed, so that is expiry order), indexed by block and
 * by link; a wait taken or dropped is only marked gone, and leaves the queue when expiry
 * reaches it.
 */
interface Wait<L> {
  index: number
  link: L
  at: number
  gone: boolean
}

export class PendingWants<L> {
  #byIndex = new Map<number, Map<L, Wait<L>>>()
  #byLink = new Map<L, Map<number, Wait<L>>>()
  /** Every wait, oldest first, from `#head` on (some of them gone). */
  #queue: Array<Wait<L>> = []
  #head = 0
  #count = 0

  constructor (readonly max: number, readonly ttlMs: number, readonly maxPerLink: number = max) {}

  get size (): number { return this.#count }

  /** Waits held for `link`. */
  sizeOf (link: L): number { return this.#byLink.get(link)?.size ?? 0 }

  /** Registers `link` as waiting for `index`; false when the table (or the link's share) is full. */
  add (index: number, link: L, now: number): boolean {
    this.expire(now)
    let waiters = this.#byIndex.get(index)
    if (waiters?.has(link) === true) return true
    const mine = this.#byLink.get(link)
    if (this.#count >= this.max || (mine?.size ?? 0) >= this.maxPerLink) return false
    const wait: Wait<L> = { index, link, at: now, gone: false }
    if (waiters === undefined) this.#byIndex.set(index, (waiters = new Map()))
    waiters.set(link, wait)
    if (mine === undefined) this.#byLink.set(link, new Map([[index, wait]]))
    else mine.set(index, wait)
    this.#queue.push(wait)
    this.#count++
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
    const queue = this.#queue
    while (this.#head < queue.length) {
      const wait = queue[this.#head] as Wait<L>
      if (!wait.gone && now - wait.at < this.ttlMs) break
      if (!wait.gone) this.#remove(wait)
      this.#head++
    }
    // Let go of the passed part once it is most of the array.
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head)
      this.#head = 0
    }
  }

  #remove (wait: Wait<L>): void {
    wait.gone = true
    this.#count--
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
