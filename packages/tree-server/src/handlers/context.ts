/** What every handler gets from the server: options, store access, routing and counters. */
import { PeerTreeServerError } from '../errors.js'
import type { ResolvedOptions } from '../options.js'
import type { ServerErrorCode, TreeId } from '../protocol.js'
import type { Binding, ClientState, Registry, TypedServer } from '../registry.js'
import type { TxFn } from '../store/store.js'
import type { Change, TxEnv, TxOutput } from '../transitions.js'
import type { TreeState } from '../tree-state.js'
import type { SignalLedger } from '../signal-ledger.js'
import type { Validated, Validators } from '../validate.js'

export interface Counters {
  creates: number
  joins: number
  leaves: number
  /** Members re-placed because their parent left (or after waiting for a slot). */
  repairs: number
  reconnects: number
  /** Reconnects that reported a failed link (`failed: true`). */
  failedLinks: number
  resumes: number
  signalsRelayed: number
  /** Signals not relayed: candidates before their sender's SDP, and those over a link's limits. */
  signalsDropped: number
  /** Links whose parent reported them failed (`peer:failed`). */
  reportedLinks: number
  /** Members taken over from a process that died (or shut down) holding them. */
  adopted: number
}

export interface HandlerContext {
  readonly io: TypedServer
  readonly opts: ResolvedOptions
  readonly validators: Validators
  readonly registry: Registry
  readonly counters: Counters
  /** What each end sent on each link, against the per-link limits. */
  readonly signals: SignalLedger
  readonly env: TxEnv
  /** Read a tree; a store failure throws STORE_UNAVAILABLE. */
  get: (treeID: TreeId) => Promise<Readonly<TreeState> | undefined>
  /** Run a read-only body on a tree (it may load only what it reads); a store failure throws STORE_UNAVAILABLE. */
  read: <R>(treeID: TreeId, fn: (state: Readonly<TreeState> | undefined) => R) => Promise<R>
  /** Run a transaction; a store failure throws STORE_UNAVAILABLE and changes nothing. */
  transact: (treeID: TreeId, fn: TxFn<TxOutput>) => Promise<TxOutput>
  /** Trees in the store; a store failure throws STORE_UNAVAILABLE. */
  storeSize: () => Promise<number>
  /** A placing transaction body (join, reconnect), timed for `opts.metrics` when it asks. */
  placing: <R>(fn: TxFn<R>) => TxFn<R>
  /** Send a committed change's messages, then drop the bindings of members that left. */
  apply: (treeID: TreeId, change: Change) => void
  /**
   * Unbind a membership from its gone socket and remove it from the tree after `delayMs`
   * unless a resume rebinds it first (a grace period, or a retry after a store failure).
   */
  park: (b: Binding, delayMs: number) => void
}

/** One client event's handler. It may throw a PeerTreeServerError: the server answers with `tree:error`. */
export type Handler = (ctx: HandlerContext, client: ClientState, payload: unknown) => Promise<void> | void

/** The validated payload, or a thrown INVALID_PAYLOAD. */
export function valid<T> (r: Validated<T>): T {
  if (!r.ok) throw PeerTreeServerError.INVALID_PAYLOAD(r.message)
  return r.value
}

/** The binding of `client` in `treeID`, or a thrown NOT_IN_TREE. */
export function member (client: ClientState, treeID: TreeId): Binding {
  const b = client.memberships.get(treeID)
  if (b === undefined) throw PeerTreeServerError.NOT_IN_TREE({ treeID })
  return b
}

/** Codes meaning this process's binding no longer matches the tree in the store. */
function isStale (code: ServerErrorCode): boolean {
  return code === 'NOT_IN_TREE' || code === 'TREE_NOT_FOUND'
}

/**
 * Throw a refusal from the store's view of the tree. When it says `b` is not (or no longer)
 * a member, this process's binding is stale and is dropped first.
 */
export function refuse (ctx: HandlerContext, code: ServerErrorCode, message: string | undefined, treeID: TreeId, b?: Binding): never {
  if (b !== undefined && isStale(code)) ctx.registry.unbind(b.peerID)
  throw new PeerTreeServerError(code, message, { treeID })
}

/** Throw the transaction's refusal, if it has one. */
export function throwRefusal (ctx: HandlerContext, out: TxOutput, treeID: TreeId, b?: Binding): void {
  if (out.error !== undefined) refuse(ctx, out.error.code, out.error.message, treeID, b)
}
