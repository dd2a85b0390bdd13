/**
 * The simulator's event loop: virtual time in milliseconds, events run in time order, and
 * events due at the same instant in the order they were scheduled (a FIFO per instant), so
 * a run is a pure function of its seed. Promises settle on the real microtask queue: after
 * an event that may have left some pending (see `settleSoon`), and in any case every
 * SETTLE_EVERY events and before virtual time moves on by more than SETTLE_WITHIN_MS, the
 * loop lets them all run. A promise nobody announced thus settles at most that late.
 */
import FlatQueue from 'flatqueue'

export type Task = () => void

/** A scheduled task; `cancelled` is set by `cancel`, and the task is then skipped. */
export interface Scheduled {
  readonly at: number
  cancelled: boolean
}

interface Entry extends Scheduled {
  task: Task
}

/** Events between two unconditional settles. */
const SETTLE_EVERY = 1024
/** Virtual time between two unconditional settles (ms). */
const SETTLE_WITHIN_MS = 1

export class EventLoop {
  /** Virtual time now (ms). */
  now = 0
  /** Events run so far. */
  ran = 0
  readonly #times = new FlatQueue<number>()
  /** Events per instant, in the order they were scheduled. */
  readonly #due = new Map<number, Entry[]>()
  #pending = 0
  #settle = false
  #stopped = false

  /** Runs `task` at virtual time `at` (never before now). */
  at (at: number, task: Task): Scheduled {
    const time = at < this.now ? this.now : at
    const entry: Entry = { at: time, cancelled: false, task }
    const list = this.#due.get(time)
    if (list === undefined) {
      this.#due.set(time, [entry])
      this.#times.push(time, time)
    } else {
      list.push(entry)
    }
    this.#pending++
    return entry
  }

  /** Runs `task` after `ms` of virtual time. */
  after (ms: number, task: Task): Scheduled {
    return this.at(this.now + (ms > 0 ? ms : 0), task)
  }

  cancel (s: Scheduled | undefined): void {
    if (s !== undefined && !s.cancelled) {
      s.cancelled = true
    }
  }

  /** Events scheduled and not yet run (cancelled ones included until their time comes). */
  get pending (): number {
    return this.#pending
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
   * empty, `stop()` was called, or `done()` says so (asked after every instant).
   */
  async run (until: number, done?: () => boolean): Promise<void> {
    this.#stopped = false
    await settle()
    let sinceSettle = 0
    let settledAt = this.now
    while (!this.#stopped && this.#times.length > 0) {
      const time = this.#times.peekValue() as number
      if (time > until) break
      if (time > settledAt + SETTLE_WITHIN_MS) {
        await settle()
        sinceSettle = 0
        settledAt = time
        // Settling may have scheduled something sooner.
        if ((this.#times.peekValue() as number) < time) continue
      }
      this.#times.pop()
      this.now = time
      const list = this.#due.get(time) as Entry[]
      // Tasks may schedule more at this same instant: they join the end of this list.
      for (let i = 0; i < list.length; i++) {
        const e = list[i] as Entry
        this.#pending--
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
      }
      this.#due.delete(time)
      if (done?.() === true) break
    }
    if (this.now < until && !this.#stopped && (done === undefined || !done()) && Number.isFinite(until)) this.now = until
    await settle()
  }
}

/** Lets every queued microtask (and the ones they queue) run: setImmediate comes after them all. */
function settle (): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
