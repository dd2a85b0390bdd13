import type { TreeId } from '../protocol.js'
import type { TreeState } from '../tree-state.js'
import type { HeldMember, TreeStore, TxFn } from './store.js'

/**
 * The default store: trees in a `Map` of this process. A transaction runs synchronously
 * and changes the live state in place, so it is atomic without copies and never re-runs;
 * the promises only give it the interface a networked store needs.
 */
export class MemoryStore implements TreeStore {
  // A Map, never a plain object: tree IDs come from the network (`__proto__` must be just a key).
  readonly #trees = new Map<TreeId, TreeState>()

  async get (treeID: TreeId): Promise<Readonly<TreeState> | undefined> {
    return this.#trees.get(treeID)
  }

  // `async` turns a throw in `fn` into a rejection; the body runs to completion before any
  // other caller's, which is what makes it atomic.
  async transact<R> (treeID: TreeId, fn: TxFn<R>): Promise<R> {
    const decided = fn(this.#trees.get(treeID))
    if (decided.op === 'put') this.#trees.set(treeID, decided.state)
    else if (decided.op === 'delete') this.#trees.delete(treeID)
    return decided.result
  }

  async read<R> (treeID: TreeId, fn: (state: Readonly<TreeState> | undefined) => R): Promise<R> {
    return fn(this.#trees.get(treeID))
  }

  // A scan: one process holds every member of a memory store, so this only runs in tests.
  async heldBy (holder: string): Promise<HeldMember[]> {
    const held: HeldMember[] = []
    for (const [treeID, state] of this.#trees) {
      for (const [peerID, m] of Object.entries(state.members)) if (m.holder === holder) held.push({ treeID, peerID })
    }
    return held
  }

  async size (): Promise<number> {
    return this.#trees.size
  }
}
