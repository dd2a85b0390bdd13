/**
 * The heartbeat loop of one server process among several sharing a store: it counts this
 * process's heartbeats, reads everyone's, and for each process judged dead (liveness.ts)
 * fences it (presence.ts: only if it did not beat since) and has the server adopt its
 * members. A beat that finds this process itself fenced (it was paused, or cut off from the
 * store, for longer than the dead time, and another process took its members) has the
 * server let go of everything and go on under a new process ID.
 */
import { newLiveness, observe } from './liveness.js'
import type { Dead, LivenessState } from './liveness.js'
import { FENCED } from './presence/presence.js'
import type { ProcessPresence } from './presence/presence.js'

export interface FailoverDeps {
  presence: ProcessPresence
  processID: string
  heartbeatMs: number
  /** A process whose count has not moved for this long (while this one reads the table) is dead. */
  deadAfterMs: number
  now: () => number
  /** Adopt every member `processID` held; resolves true once all were handled (false: try again). */
  adopt: (processID: string) => Promise<boolean>
  /** The others fenced this process and adopt its members: let go of them; returns the process's new ID. */
  fenced: () => string
  /** The heartbeat failed after working (reported once per outage; the loop goes on). */
  report: (cause: unknown) => void
}

export class Failover {
  readonly #deps: FailoverDeps
  #processID: string
  #liveness: LivenessState
  /** Processes being adopted now, so a slow adoption is not started twice. */
  readonly #adopting = new Set<string>()
  #timer: ReturnType<typeof setTimeout> | null = null
  #started = false
  #stopped = false
  /** The last beat failed: the next failures are the same outage, not news. */
  #failing = false

  constructor (deps: FailoverDeps) {
    this.#deps = deps
    this.#processID = deps.processID
    this.#liveness = newLiveness(deps.processID, deps.deadAfterMs)
  }

  start (): void {
    if (this.#started) return
    this.#started = true
    void this.#tick()
  }

  /** Stop beating; with `retire`, list this process as RETIRED so the others adopt what it still holds now. */
  async stop (retire: boolean): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    if (this.#timer !== null) { clearTimeout(this.#timer); this.#timer = null }
    if (!retire) return
    try { await this.#deps.presence.retire(this.#processID) } catch (cause) { this.#deps.report(cause) }
  }

  async #tick (): Promise<void> {
    const d = this.#deps
    let table = null
    try {
      const count = await d.presence.beat(this.#processID)
      if (count === FENCED && !this.#stopped) {
        this.#processID = d.fenced()
        this.#liveness = newLiveness(this.#processID, d.deadAfterMs)
      }
      table = await d.presence.list()
      this.#failing = false
    } catch (cause) {
      // Every beat of an outage fails the same way: say it once.
      if (!this.#failing) d.report(cause)
      this.#failing = true
    }
    if (this.#stopped) return
    for (const dead of observe(this.#liveness, table, d.now())) {
      if (this.#adopting.has(dead.processID)) continue
      this.#adopting.add(dead.processID)
      void this.#takeOver(dead).catch(d.report).finally(() => { this.#adopting.delete(dead.processID) })
    }
    this.#timer = setTimeout(() => { this.#timer = null; void this.#tick() }, d.heartbeatMs)
    // The heartbeat alone must not keep the process alive.
    this.#timer.unref?.()
  }

  /** Fence `dead` (unless it is fenced already), adopt its members, then take it off the list. */
  async #takeOver (dead: Dead): Promise<void> {
    const d = this.#deps
    // A fenced process is being adopted by whoever fenced it, or was left half done by an
    // adopter that died: anyone may go on with it (adopting a member twice is a no-op).
    if (dead.count !== FENCED && !(await d.presence.fence(dead.processID, dead.count))) return
    if (this.#stopped) return
    if (await d.adopt(dead.processID) && !this.#stopped) await d.presence.forget(dead.processID)
  }
}
