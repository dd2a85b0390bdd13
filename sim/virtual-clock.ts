/**
 * The feed layer's Clock on the simulator's event loop: time is virtual, timers are events,
 * and chance comes from the run's seeded generator. One clock per simulated peer (its own
 * random stream), all on one loop.
 */
import type { Clock, ClockTimer } from '../packages/broadcast/src/net/clock.js'
import type { EventLoop, Scheduled } from './event-loop.js'
import type { Rng } from './random.js'

/** An interval's handle: the next run is rescheduled in place, so clear() stops it for good. */
interface Interval {
  next: Scheduled | undefined
  stopped: boolean
}

function isInterval (t: unknown): t is Interval {
  return typeof t === 'object' && t !== null && 'stopped' in t
}

export function virtualClock (loop: EventLoop, rng: Rng): Clock {
  return {
    now: () => loop.now,
    setTimeout: (fn, ms) => loop.after(ms, fn),
    setInterval: (fn, ms) => {
      const every = Math.max(1, ms)
      const interval: Interval = { next: undefined, stopped: false }
      const tick = (): void => {
        if (interval.stopped) return
        interval.next = loop.after(every, tick)
        fn()
      }
      interval.next = loop.after(every, tick)
      return interval
    },
    clear: (timer: ClockTimer | undefined) => {
      if (timer === undefined || timer === null) return
      if (isInterval(timer)) {
        timer.stopped = true
        loop.cancel(timer.next)
      } else {
        loop.cancel(timer as Scheduled)
      }
    },
    random: () => rng.float()
  }
}
