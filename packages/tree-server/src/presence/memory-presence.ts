import { RETIRED } from './presence.js'
import type { HeartbeatTable, ProcessPresence } from './presence.js'

/** Presence in this process's memory: for several PeerTreeServers in one process (tests, simulations). */
export class MemoryPresence implements ProcessPresence {
  // A Map: process IDs are strings from callers, `__proto__` must be just a key.
  readonly #counts = new Map<string, number>()

  async beat (processID: string): Promise<number> {
    const before = this.#counts.get(processID) ?? 0
    if (before === RETIRED) return RETIRED
    const count = before + 1
    this.#counts.set(processID, count)
    return count
  }

  async list (): Promise<HeartbeatTable> {
    return Object.fromEntries(this.#counts)
  }

  async retire (processID: string): Promise<void> {
    this.#counts.set(processID, RETIRED)
  }

  async forget (processID: string, count: number): Promise<void> {
    if (this.#counts.get(processID) === count) this.#counts.delete(processID)
  }
}
