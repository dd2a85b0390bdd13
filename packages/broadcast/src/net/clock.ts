/**
 * Time and chance as the feed's network layer sees them. Every timer, every reading of the
 * time and every random choice of Source, Subscriber, Forest and FeedLink goes through one
 * Clock, so that a simulator can run the same code on virtual time, deterministically.
 */

/** An opaque timer handle: what `setTimeout` / `setInterval` returned. */
export type ClockTimer = unknown

export interface Clock {
  /** Milliseconds; only differences are read. */
  now: () => number
  /** Runs `fn` once after `ms`. The timer never keeps a Node process alive. */
  setTimeout: (fn: () => void, ms: number) => ClockTimer
  /** Runs `fn` every `ms`. The timer never keeps a Node process alive. */
  setInterval: (fn: () => void, ms: number) => ClockTimer
  /** Cancels a timer of either kind; `undefined` and spent timers are ignored. */
  clear: (timer: ClockTimer | undefined) => void
  /** A number in [0, 1). */
  random: () => number
}

const unref = (timer: ReturnType<typeof setTimeout>): ClockTimer => {
  ;(timer as { unref?: () => void }).unref?.()
  return timer
}

/** The platform's clock: Date.now, setTimeout / setInterval (unref'd in Node), Math.random. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => unref(setTimeout(fn, ms)),
  setInterval: (fn, ms) => unref(setInterval(fn, ms)),
  clear: (timer) => {
    // clearTimeout and clearInterval are interchangeable in Node and in browsers.
    if (timer !== undefined) clearTimeout(timer as ReturnType<typeof setTimeout>)
  },
  random: () => Math.random()
}
