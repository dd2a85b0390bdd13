import { FENCED, RETIRED } from './presence.js'
import type { HeartbeatTable, ProcessPresence } from './presence.js'

/** Presence in this process's memory: for several PeerTreeServers in one process (tests, simulations). */
export class MemoryPresence implements ProcessPresence {
  // Maps and Sets: process IDs are strings from callers, `__proto__` must be just a key.
  readonly #counts = new Map<string, number>()
  /** Processes told they were fenced, so that they learn it even once their entry is gone. */
  readonly #fenced = new Set<string>()

  async beat (processID: string): Promise<number> {
    if (this.#fenced.has(processID)) return FENCED
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

  async fence (processID: string, count: number): Promise<boolean> {
    if (this.#counts.get(processID) !== count) return false
    this.#counts.set(processID, FENCED)
    this.#fenced.add(processID)
    return true
  }

  async forget (processID: string): Promise<void> {
    if (this.#counts.get(processID) === FENCED) this.#counts.delete(processID)
  }
}
