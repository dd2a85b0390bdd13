/**
 * The simulator's event loop: virtual time in milliseconds, events run in time order, and
 * events due at the same instant in the order they were scheduled, so a run is a pure
 * function of its seed. Promises settle on the real microtask queue: after an event that may
 * have left some pending (see `settleSoon`), and in any case every SETTLE_EVERY events and
 * before virtual time moves on by more than SETTLE_WITHIN_MS, the loop lets them all run.
 * A promise nobody announced thus settles at most that late.
 */
import FlatQueue from 'flatqueue'

export type Task = () => void

/** A scheduled task; `cancel` marks it, and it is then skipped. */
export interface Scheduled {
  readonly at: number
  cancelled: boolean
}

interface Entry extends Scheduled {
  /** Order of scheduling: ties in time run in this order. */
  readonly seq: number
  task: Task
}

/** Events between two unconditional settles. */
const SETTLE_EVERY = 1024
/** Virtual time between two unconditional settles (ms). */
const SETTLE_WITHIN_MS = 1

const bySeq = (a: Entry, b: Entry): number => a.seq - b.seq

export class EventLoop {
  /** Virtual time now (ms). */
  now = 0
  /** Events run so far. */
  ran = 0
  readonly #queue = new FlatQueue<Entry>()
  #seq = 0
  #settle = false
  #stopped = false

  /** Runs `task` at virtual time `at` (never before now). */
  at (at: number, task: Task): Scheduled {
    const entry: Entry = { at: at < this.now ? this.now : at, seq: this.#seq++, cancelled: false, task }
    this.#queue.push(entry, entry.at)
    return entry
  }

  /** Runs `task` after `ms` of virtual time. */
  after (ms: number, task: Task): Scheduled {
    return this.at(this.now + (ms > 0 ? ms : 0), task)
  }

  cancel (s: Scheduled | undefined): void {
    if (s !== undefined) s.cancelled = true
  }

  /** Events scheduled and not yet run (cancelled ones included until their time comes). */
  get pending (): number {
    return this.#queue.length
  }

  /** Says that promises may be pending: they settle before the next event runs. */
  settleSoon (): void {
    this.#settle = true
  }

  /** Stops `run` after the event that is running. */
  stop (): void {
    this.#stopped = true
  }

  /**
   * Runs events until virtual time `until` (events due later stay queued), the queue is
   * empty, `stop()` was called, or `done()` says so (asked after every event).
   */
  async run (until: number, done?: () => boolean): Promise<void> {
    this.#stopped = false
    await settle()
    const queue = this.#queue
    let sinceSettle = 0
    let settledAt = this.now
    const batch: Entry[] = []
    while (!this.#stopped && queue.length > 0) {
      const time = queue.peekValue() as number
      if (time > until) break
      if (time > settledAt + SETTLE_WITHIN_MS) {
        await settle()
        sinceSettle = 0
        settledAt = time
        // Settling may have scheduled something sooner.
        if ((queue.peekValue() as number) < time) continue
      }
      // Everything due at this instant, in the order it was scheduled (the heap keeps no order among ties).
      batch.length = 0
      while (queue.length > 0 && queue.peekValue() === time) batch.push(queue.pop() as Entry)
      if (batch.length > 1) batch.sort(bySeq)
      this.now = time
      for (const e of batch) {
        if (e.cancelled) continue
        e.cancelled = true
        this.ran++
        e.task()
        if (this.#settle || ++sinceSettle >= SETTLE_EVERY) {
          this.#settle = false
          sinceSettle = 0
          settledAt = time
          await settle()
        }
        if (this.#stopped) break
      }
      if (this.#stopped) {
        // Put back what this instant did not run (stop() ends the run, not the events).
        for (const e of batch) if (!e.cancelled) queue.push(e, e.at)
        break
      }
      if (done?.() === true) break
    }
    if (!this.#stopped && queue.length === 0 && Number.isFinite(until) && this.now < until) this.now = until
    await settle()
  }
}

/** Lets every queued microtask (and the ones they queue) run: setImmediate comes after them all. */
function settle (): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
