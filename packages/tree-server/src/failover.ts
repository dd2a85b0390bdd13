/**
 * The heartbeat loop of one server process among several sharing a store: it counts this
 * process's heartbeats, reads everyone's, and hands the dead (liveness.ts decides) to the
 * server to adopt. It also notices when the others declared this process dead (its entry was
 * forgotten after a pause or a partition longer than the dead time): the server then lets go
 * of everything it holds, since another process has adopted it.
 */
import { newLiveness, observe } from './liveness.js'
import type { LivenessState } from './liveness.js'
import { RETIRED } from './presence/presence.js'
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
  /** The others declared this process dead and adopted its members. */
  fenced: () => void
  /** A presence call failed (the loop goes on). */
  report: (cause: unknown) => void
}

export class Failover {
  readonly #deps: FailoverDeps
  readonly #liveness: LivenessState
  /** Processes being adopted now, so a slow adoption is not started twice. */
  readonly #adopting = new Set<string>()
  #timer: ReturnType<typeof setTimeout> | null = null
  #beats = 0
  #started = false
  #stopped = false

  constructor (deps: FailoverDeps) {
    this.#deps = deps
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
    try { await this.#deps.presence.retire(this.#deps.processID) } catch (cause) { this.#deps.report(cause) }
  }

  async #tick (): Promise<void> {
    const d = this.#deps
    try {
      const count = await d.presence.beat(d.processID)
      // A count that starts again at 1 means the others forgot this process: they judged it dead.
      if (count === 1 && this.#beats > 0 && !this.#stopped) d.fenced()
      if (count !== RETIRED) this.#beats = count
    } catch (cause) {
      d.report(cause)
    }
    let table = null
    try { table = await d.presence.list() } catch (cause) { d.report(cause) }
    if (this.#stopped) return
    for (const dead of observe(this.#liveness, table, d.now())) {
      if (this.#adopting.has(dead.processID)) continue
      this.#adopting.add(dead.processID)
      void d.adopt(dead.processID).then(async (done) => {
        if (done && !this.#stopped) await d.presence.forget(dead.processID, dead.count)
      }).catch(d.report).finally(() => { this.#adopting.delete(dead.processID) })
    }
    this.#timer = setTimeout(() => { this.#timer = null; void this.#tick() }, d.heartbeatMs)
    // The heartbeat alone must not keep the process alive.
    this.#timer.unref?.()
  }
}
