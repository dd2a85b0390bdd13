/**
 * The timing hooks a metrics system can give the server (`opts.metrics`). Counts need no
 * hook: `stats()` has them. Only timings do, because they exist only while a call runs.
 */
import type { TreeId } from './protocol.js'
import type { TreeStore, TxFn } from './store/store.js'
import type { TreeState } from './tree-state.js'

/** The store calls the server makes. */
export type StoreOp = 'get' | 'transact' | 'read' | 'heldBy' | 'size'

/**
 * Optional timing hooks, called synchronously. A hook that throws is ignored: metrics must
 * never refuse a request. `peer-tree-server/metrics` implements them with prom-client.
 */
export interface ServerMetrics {
  /** A store call ended, resolved or rejected, after `seconds` (a transaction's body included). */
  onStoreCall?: (op: StoreOp, seconds: number) => void
  /**
   * The body of a `tree:join` or `tree:reconnect` transaction ran: the placement decision
   * and the messages it builds, in `seconds`. Once per run (a networked store may run a
   * body again when the tree changed under it).
   */
  onPlacement?: (seconds: number) => void
}

const seconds = (since: number): number => (performance.now() - since) / 1000

function call<A extends unknown[]> (hook: ((...args: A) => void) | undefined, ...args: A): void {
  if (hook === undefined) return
  try { hook(...args) } catch {
    // The observer's bug; the request goes on.
  }
}

/** `store` with each call timed into `metrics.onStoreCall`; `store` itself without that hook. */
export function timedStore (store: TreeStore, metrics: ServerMetrics | null): TreeStore {
  const hook = metrics?.onStoreCall?.bind(metrics)
  if (hook === undefined) return store
  const timed = async <R>(op: StoreOp, run: () => Promise<R>): Promise<R> => {
    const start = performance.now()
    try { return await run() } finally { call(hook, op, seconds(start)) }
  }
  return {
    get: async (treeID: TreeId) => await timed('get', async () => await store.get(treeID)),
    transact: async <R>(treeID: TreeId, fn: TxFn<R>) => await timed('transact', async () => await store.transact(treeID, fn)),
    read: async <R>(treeID: TreeId, fn: (state: Readonly<TreeState> | undefined) => R) => await timed('read', async () => await store.read(treeID, fn)),
    heldBy: async (holder: string) => await timed('heldBy', async () => await store.heldBy(holder)),
    size: async () => await timed('size', async () => await store.size())
  }
}

/** `fn` with each run timed into `metrics.onPlacement`; `fn` itself without that hook. */
export function timedPlacement<R> (fn: TxFn<R>, metrics: ServerMetrics | null): TxFn<R> {
  const hook = metrics?.onPlacement?.bind(metrics)
  if (hook === undefined) return fn
  return (state) => {
    const start = performance.now()
    try { return fn(state) } finally { call(hook, seconds(start)) }
  }
}
