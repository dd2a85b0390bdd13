/**
 * Where tree state lives. The server keeps sockets and rooms in its own process and every
 * tree's state in a store, so that several processes (behind a socket.io adapter) can share
 * trees through a store such as Redis.
 *
 * The contract is shaped for optimistic transactions (Redis WATCH/MULTI/EXEC): `transact`
 * hands `fn` the current state, `fn` returns what to write and a result, and the store
 * commits the write atomically or runs `fn` again on a fresh copy if the tree changed
 * meanwhile. The server sends messages only after `transact` resolves, using the result
 * of the run that committed.
 */
import type { PeerId, TreeId } from '../protocol.js'
import type { TreeState } from '../tree-state.js'

/** A member some process holds, as `heldBy` lists it. */
export interface HeldMember {
  treeID: TreeId
  peerID: PeerId
}

/** What a transaction function decided. */
export type TxResult<R> =
  /** Write `state` (which may be the draft it was given, changed in place). */
  | { op: 'put'; state: TreeState; result: R }
  /** Delete the tree. */
  | { op: 'delete'; result: R }
  /** Write nothing; the function did not change the draft. */
  | { op: 'none'; result: R }

/**
 * A transaction body. It must be free of I/O and side effects other than changing the
 * draft it is given, because a store may run it more than once (only the committed run's
 * result is used). It may change the draft in place and must then return `put`.
 * A throw aborts the transaction: nothing is written and `transact` rejects with it.
 */
export type TxFn<R> = (state: TreeState | undefined) => TxResult<R>

export interface TreeStore {
  /**
   * The current state of a tree, or undefined. Treat it as read-only: the in-memory store
   * returns its live object (copying a big tree per signal would be too slow).
   */
  get: (treeID: TreeId) => Promise<Readonly<TreeState> | undefined>
  /** Run `fn` on the tree's state and commit its decision atomically; resolves to its result. */
  transact: <R>(treeID: TreeId, fn: TxFn<R>) => Promise<R>
  /**
   * Run a read-only `fn` on the tree's state and resolve to what it returns. Like a
   * transaction body, `fn` must be pure and may run more than once: a networked store may
   * load only the members `fn` reads (a signal's route reads two or three of a big tree).
   */
  read: <R>(treeID: TreeId, fn: (state: Readonly<TreeState> | undefined) => R) => Promise<R>
  /**
   * Every member whose `holder` is `holder`, in any tree, so that another process can adopt
   * them when that process dies. It may also list members that have since left or moved to
   * another holder (the adopting transaction checks again).
   */
  heldBy: (holder: string) => Promise<HeldMember[]>
  /** How many trees the store holds. */
  size: () => Promise<number>
}
