/** Anything with `on`/`off` (a PeerTreeClient, a simple-peer, a socket). */
export interface Listenable {
  on: (event: any, fn: (...args: any[]) => void) => unknown
  off?: (event: any, fn: (...args: any[]) => void) => unknown
  removeListener?: (event: any, fn: (...args: any[]) => void) => unknown
}

function unlisten (target: Listenable, event: string, fn: (...args: any[]) => void): void {
  if (typeof target.off === 'function') target.off(event, fn)
  else target.removeListener?.(event, fn)
}

/**
 * Resolves with the arguments of the next `event` on `target` that passes `filter`.
 * Rejects after `ms` with a message that says what was awaited: a bound on a hang,
 * never a synchronisation device.
 */
export function nextEvent<T extends unknown[] = any[]> (
  target: Listenable, event: string, opts: { ms?: number, filter?: (...args: any[]) => boolean, what?: string } = {}
): Promise<T> {
  const ms = opts.ms ?? 20_000
  return new Promise((resolve, reject) => {
    const fn = (...args: any[]): void => {
      if (opts.filter !== undefined && !opts.filter(...args)) return
      clearTimeout(timer)
      unlisten(target, event, fn)
      resolve(args as T)
    }
    const timer = setTimeout(() => {
      unlisten(target, event, fn)
      reject(new Error(`timed out after ${ms} ms waiting for '${event}'${opts.what !== undefined ? ` (${opts.what})` : ''}`))
    }, ms)
    target.on(event, fn)
  })
}

/**
 * Resolves once `check` holds. For conditions spread over many peers ("every peer has the
 * data"), re-checked every 20 ms: a poll of state, bounded by `ms`, never a wait for time.
 */
export async function until (
  check: () => boolean | Promise<boolean>, opts: { ms?: number, what: string, describe?: () => string | Promise<string> }
): Promise<void> {
  const deadline = Date.now() + (opts.ms ?? 30_000)
  while (!(await check())) {
    if (Date.now() > deadline) {
      const detail = opts.describe !== undefined ? `: ${await opts.describe()}` : ''
      throw new Error(`timed out after ${opts.ms ?? 30_000} ms waiting until ${opts.what}${detail}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
