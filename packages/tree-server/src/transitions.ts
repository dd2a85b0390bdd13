/**
 * Every change to a tree, as a transaction body for `TreeStore.transact`: it takes the
 * current state, changes the draft, and returns what to write plus the messages to send
 * once the write has committed. No I/O here; IDs for new links come from `env`.
 */
import { linkWorks, recordFailedParent } from './link-state.js'
import { choosePlacement } from './placement.js'
import type { PlacementOptions } from './placement.js'
import { choosePullUp, chooseRelayPlacement } from './relay-first.js'
import type { RelayPlacement } from './relay-first.js'
import type { DiscoverReason, PeerId, PeerRole, ServerErrorCode, ServerToClientEvents, SessionId } from './protocol.js'
import type { TxResult } from './store/store.js'
import {
  addMember, attach, detach, dropPending, getMember, linkEnd, newTree, removeMember, setDetached, subtree
} from './tree-state.js'
import type { NewTree, PendingReason, TreeState } from './tree-state.js'

/** One message for one member, sent to the room of its current socket. */
export type Outgoing = {
  [E in keyof ServerToClientEvents]: { to: PeerId; event: E; payload: Parameters<ServerToClientEvents[E]>[0] }
}[keyof ServerToClientEvents]

export interface Change {
  /** Messages in the order they must be sent. */
  out: Outgoing[]
  /** Members that left the tree (their sockets' bindings are dropped after `out` is sent). */
  removed: PeerId[]
  /** Members given a new parent because theirs left (or because they were waiting). */
  repairs: number
  /** The tree was created. */
  created: boolean
  /** The tree was deleted because its source left. */
  ended: boolean
}

export interface TxOutput {
  change: Change
  /** Set when the request was refused; `change` may still hold repairs made on the way. */
  error?: { code: ServerErrorCode; message?: string }
  /** The member's epoch after a resume. */
  epoch?: number
}

export interface TxEnv {
  mintSession: () => SessionId
}

/** Identifies the member acting, as bound to a socket. */
export interface Actor {
  peerID: PeerId
  epoch: number
}

function emptyChange (): Change {
  return { out: [], removed: [], repairs: 0, created: false, ended: false }
}

function refuse (code: ServerErrorCode, message?: string): TxResult<TxOutput> {
  const error = message === undefined ? { code } : { code, message }
  return { op: 'none', result: { change: emptyChange(), error } }
}

function unchanged (): TxResult<TxOutput> {
  return { op: 'none', result: { change: emptyChange() } }
}

/** Hang `id` under `parent` on a new link and announce it to both ends (the parent first). */
function placeUnder (state: TreeState, id: PeerId, parent: PeerId, reason: DiscoverReason, env: TxEnv, change: Change): void {
  const session = env.mintSession()
  attach(state, id, parent, session)
  const token = getMember(state, id)?.token ?? ''
  change.out.push({ to: parent, event: 'peer:child', payload: { treeID: state.treeID, session, child: id } })
  change.out.push({
    to: id,
    event: 'tree:discover',
    payload: { treeID: state.treeID, peerID: id, parent, session, token, reason }
  })
}

/**
 * Where `id` goes: a relay-role member by relay-first placement (it may take a leaf's slot),
 * a leaf-role member under the shallowest free slot. Null if nothing fits.
 */
function choosePlace (state: Readonly<TreeState>, role: PeerRole, opts: PlacementOptions = {}): RelayPlacement | null {
  if (role !== 'leaf') return chooseRelayPlacement(state, opts)
  const parent = choosePlacement(state, opts)
  return parent === null ? null : { parent, displace: null }
}

/**
 * Hang `id` where `place` says. A leaf that gives up its slot is told to go (`peer:unlink`
 * to its parent, `tree:discover` with reason `moved` to it) and placed under the shallowest
 * free slot, which is never below itself; leaves displace nobody, so it is the only move.
 */
function placeAt (state: TreeState, id: PeerId, place: RelayPlacement, reason: DiscoverReason, env: TxEnv, change: Change): void {
  const leaf = place.displace
  if (leaf !== null) {
    const cut = detach(state, leaf)
    if (cut !== null) change.out.push({ to: cut.parent, event: 'peer:unlink', payload: { treeID: state.treeID, session: cut.session } })
  }
  placeUnder(state, id, place.parent, reason, env, change)
  if (leaf !== null && !placeMember(state, leaf, 'moved', env, change)) state.pending.push({ peer: leaf, reason: 'moved' })
}

/**
 * If a relay slot is free shallower than the deepest member hanging under a leaf, move that
 * member (with its subtree) up into it: at most one move, so a change stays O(depth × k).
 */
function pullUp (state: TreeState, env: TxEnv, change: Change): void {
  const pull = choosePullUp(state)
  if (pull === null) return
  const cut = detach(state, pull.member)
  if (cut !== null) change.out.push({ to: cut.parent, event: 'peer:unlink', payload: { treeID: state.treeID, session: cut.session } })
  placeUnder(state, pull.member, pull.parent, 'moved', env, change)
}

/**
 * Find a place for `id` (outside its own subtree, avoiding the parents that failed it while
 * anything else fits) and put it there; false if none fits.
 */
function placeMember (state: TreeState, id: PeerId, reason: DiscoverReason, env: TxEnv, change: Change, avoid: PeerId | null = null): boolean {
  const m = getMember(state, id)
  if (m === undefined || m.role === 'source') return false
  // Parents that failed this member lately are avoided while anything else fits.
  const place = choosePlace(state, m.role, { exclude: subtree(state, id), avoid, avoidAlso: new Set(m.failedParents) })
  if (place === null) return false
  placeAt(state, id, place, reason, env, change)
  return true
}

/**
 * Place members that found no slot before, relays first, until a pass places nobody (a
 * relay that takes a leaf's slot puts that leaf in the queue for the next pass).
 */
function retryPending (state: TreeState, env: TxEnv, change: Change): void {
  for (let placed = true; placed;) {
    placed = false
    for (const peer of relaysFirst(state, state.pending.map((e) => e.peer))) {
      const entry = state.pending.find((e) => e.peer === peer)
      const m = getMember(state, peer)
      if (entry === undefined) continue
      if (m === undefined || m.parent !== null) { dropPending(state, peer); continue }
      // A detached member waits for its resume: a parent named now would hold a slot for a
      // child that cannot send its offer (and the message would be lost).
      if (m.detached) continue
      // Waiting members are off the source's tree, so their own subtrees never hold a
      // candidate: if a relay finds no place, no one will, and if a leaf finds none, no leaf
      // will (the relays went first).
      if (!placeMember(state, peer, entry.reason, env, change)) return
      dropPending(state, peer)
      change.repairs += 1
      placed = true
    }
  }
}

/** `ids` with the relay-role members first, each group in its own order. */
function relaysFirst (state: Readonly<TreeState>, ids: readonly PeerId[]): PeerId[] {
  const leaf = (id: PeerId): boolean => getMember(state, id)?.role === 'leaf'
  return [...ids.filter((id) => !leaf(id)), ...ids.filter(leaf)]
}

/** Give each orphan (with its subtree) a new parent, or make it wait for the next change. */
function rehome (state: TreeState, orphans: readonly PeerId[], reason: PendingReason, env: TxEnv, change: Change): void {
  // Relays first: a leaf placed first could take a slot a relay then needs, and move twice.
  for (const id of relaysFirst(state, orphans)) {
    if (placeMember(state, id, reason, env, change)) change.repairs += 1
    else state.pending.push({ peer: id, reason })
  }
}

export interface CreateParams extends NewTree {
  ref: string
}

export function createTx (state: TreeState | undefined, p: CreateParams): TxResult<TxOutput> {
  if (state !== undefined) return refuse('TREE_EXISTS')
  const tree = newTree(p)
  const change = emptyChange()
  change.created = true
  change.out.push({
    to: p.source,
    event: 'tree:discover',
    payload: { treeID: p.treeID, ref: p.ref, peerID: p.source, parent: null, session: null, token: p.token, reason: 'create' }
  })
  return { op: 'put', state: tree, result: { change } }
}

export interface JoinParams {
  peerID: PeerId
  role: PeerRole
  token: string
  maxPeers: number
}

export function joinTx (state: TreeState | undefined, p: JoinParams, env: TxEnv): TxResult<TxOutput> {
  if (state === undefined) return refuse('TREE_NOT_FOUND')
  if (state.size >= p.maxPeers) return refuse('TREE_FULL')
  const change = emptyChange()
  retryPending(state, env, change)
  const place = choosePlace(state, p.role)
  if (place === null) {
    // Only when every member that could take a child is detached (in its grace period).
    const error = { code: 'TREE_FULL' as const, message: 'No member of the tree can take a child now.' }
    return change.out.length > 0 ? { op: 'put', state, result: { change, error } } : { op: 'none', result: { change, error } }
  }
  addMember(state, p.peerID, p.role, p.token)
  placeAt(state, p.peerID, place, 'join', env, change)
  // A new relay brings k free slots: one may serve a member placed under a leaf before.
  if (p.role !== 'leaf') pullUp(state, env, change)
  return { op: 'put', state, result: { change } }
}

/** A member leaves (request, socket gone, grace over). The source leaving ends the tree. */
export function leaveTx (state: TreeState | undefined, actor: Actor, env: TxEnv): TxResult<TxOutput> {
  if (state === undefined) return refuse('TREE_NOT_FOUND')
  const m = getMember(state, actor.peerID)
  if (m === undefined || m.epoch !== actor.epoch) return refuse('NOT_IN_TREE')
  const change = emptyChange()
  if (actor.peerID === state.source) {
    for (const id of Object.keys(state.members)) {
      if (id !== actor.peerID) {
        change.out.push({ to: id, event: 'tree:ended', payload: { treeID: state.treeID, reason: 'source-left' } })
      }
      change.removed.push(id)
    }
    change.ended = true
    return { op: 'delete', result: { change } }
  }
  const { cut, orphans } = removeMember(state, actor.peerID)
  change.removed.push(actor.peerID)
  if (cut !== null) {
    change.out.push({ to: cut.parent, event: 'peer:unlink', payload: { treeID: state.treeID, session: cut.session } })
  }
  retryPending(state, env, change)
  rehome(state, orphans, 'parent-left', env, change)
  // The slot it held may serve a member placed under a leaf before.
  pullUp(state, env, change)
  return { op: 'put', state, result: { change } }
}

/** The member's socket is gone: keep its place, but give it no new children. */
export function detachTx (state: TreeState | undefined, actor: Actor): TxResult<TxOutput> {
  const m = state === undefined ? undefined : getMember(state, actor.peerID)
  if (state === undefined || m === undefined || m.epoch !== actor.epoch || m.detached) return unchanged()
  setDetached(state, actor.peerID, true)
  return { op: 'put', state, result: { change: emptyChange() } }
}

/**
 * The grace period is over: remove the member unless it resumed meanwhile (a resume bumps
 * the epoch). It does not depend on `detached`, so it also removes a member whose detach
 * the store failed to record.
 */
export function expireTx (state: TreeState | undefined, actor: Actor, env: TxEnv): TxResult<TxOutput> {
  const m = state === undefined ? undefined : getMember(state, actor.peerID)
  if (m === undefined || m.epoch !== actor.epoch) return unchanged()
  return leaveTx(state, actor, env)
}

export interface ReconnectParams extends Actor {
  session: SessionId | null
  /** The member says the link failed: its parent joins the ones it avoids. */
  failed?: boolean
}

/** Move a member (with its subtree) to a new parent: exactly one move per request. */
export function reconnectTx (state: TreeState | undefined, p: ReconnectParams, env: TxEnv): TxResult<TxOutput> {
  if (state === undefined) return refuse('TREE_NOT_FOUND')
  const m = getMember(state, p.peerID)
  if (m === undefined || m.epoch !== p.epoch) return refuse('NOT_IN_TREE')
  // The server already moved it off that link (a repair crossed the request): nothing to do.
  if (p.session !== null && p.session !== m.session) return unchanged()
  if (p.peerID === state.source) return refuse('UNKNOWN_SESSION', 'The source has no upstream.')
  const change = emptyChange()
  const cut = detach(state, p.peerID)
  if (cut !== null) {
    change.out.push({ to: cut.parent, event: 'peer:unlink', payload: { treeID: state.treeID, session: cut.session } })
    if (p.failed === true) recordFailedParent(m, cut.parent)
  }
  dropPending(state, p.peerID)
  // A member asks for a new upstream because the old one failed or did not suit it
  // (`reconnectUpstream()`: "request a new one"), so the old parent comes last either way.
  if (!placeMember(state, p.peerID, 'reconnect', env, change, cut?.parent ?? null)) {
    state.pending.push({ peer: p.peerID, reason: 'reconnect' })
  }
  retryPending(state, env, change)
  return { op: 'put', state, result: { change } }
}

export interface LinkCheck {
  child: PeerId
  session: SessionId
}

/**
 * Cut the link of `child` to its parent as failed: the parent joins the ones the child
 * avoids, the slot frees at once, and the child (with its subtree) is placed elsewhere, or
 * waits while it is detached (its resume places it) or while nothing fits.
 */
function failLink (state: TreeState, child: PeerId, unlinkParent: boolean, env: TxEnv, change: Change): void {
  const m = getMember(state, child)
  const cut = detach(state, child)
  if (m === undefined || cut === null) return
  if (unlinkParent) change.out.push({ to: cut.parent, event: 'peer:unlink', payload: { treeID: state.treeID, session: cut.session } })
  recordFailedParent(m, cut.parent)
  dropPending(state, child)
  if (m.detached || !placeMember(state, child, 'reconnect', env, change, cut.parent)) {
    state.pending.push({ peer: child, reason: 'reconnect' })
  }
  retryPending(state, env, change)
}

/**
 * A link's confirmation deadline passed: if the child still hangs on that link and its two
 * ends have not both confirmed it, the link has failed (see `failLink`). Anything else
 * (working, moved, gone) changes nothing.
 */
export function linkExpiredTx (state: TreeState | undefined, p: LinkCheck, env: TxEnv): TxResult<TxOutput> {
  const m = state === undefined ? undefined : getMember(state, p.child)
  if (state === undefined || m === undefined || m.session !== p.session || linkWorks(m)) return unchanged()
  const change = emptyChange()
  failLink(state, p.child, true, env, change)
  return { op: 'put', state, result: { change } }
}

/** Give up link `session` of `child` whatever its state (it broke a limit): see `failLink`. */
export function giveUpLinkTx (state: TreeState | undefined, p: LinkCheck, env: TxEnv): TxResult<TxOutput> {
  const m = state === undefined ? undefined : getMember(state, p.child)
  if (state === undefined || m === undefined || m.session !== p.session) return unchanged()
  const change = emptyChange()
  failLink(state, p.child, true, env, change)
  return { op: 'put', state, result: { change } }
}

export interface LinkFailedParams extends Actor {
  session: SessionId
}

/**
 * The parent end reports that its link `session` to a child failed (it never connected, or
 * it ended): the slot frees now, even while the child is detached, and the child is placed
 * elsewhere. The reporting parent already closed the link, so it gets no `peer:unlink`.
 */
export function linkFailedTx (state: TreeState | undefined, p: LinkFailedParams, env: TxEnv): TxResult<TxOutput> {
  if (state === undefined) return refuse('TREE_NOT_FOUND')
  const m = getMember(state, p.peerID)
  if (m === undefined || m.epoch !== p.epoch) return refuse('NOT_IN_TREE')
  const end = linkEnd(state, p.peerID, p.session)
  if (end === undefined) return refuse('UNKNOWN_SESSION')
  if (end.side !== 'parent') return refuse('UNKNOWN_SESSION', 'Only the parent end of a link reports it failed.')
  const change = emptyChange()
  failLink(state, end.other, false, env, change)
  return { op: 'put', state, result: { change } }
}

export interface ResumeParams {
  peerID: PeerId
  token: string
}

/** Rebind a membership to a new socket: same peer ID, same place, new epoch. */
export function resumeTx (state: TreeState | undefined, p: ResumeParams, env: TxEnv): TxResult<TxOutput> {
  if (state === undefined) return refuse('TREE_NOT_FOUND')
  const m = getMember(state, p.peerID)
  if (m === undefined || !sameSecret(m.token, p.token)) return refuse('BAD_TOKEN')
  setDetached(state, p.peerID, false)
  m.epoch += 1
  const change = emptyChange()
  change.out.push({
    to: p.peerID,
    event: 'tree:discover',
    payload: { treeID: state.treeID, peerID: p.peerID, parent: m.parent, session: m.session, token: m.token, reason: 'resume' }
  })
  // It can take children again, so members waiting for a slot may fit now.
  retryPending(state, env, change)
  return { op: 'put', state, result: { change, epoch: m.epoch } }
}

export interface ConfirmParams extends Actor {
  session: SessionId
}

/** One end of a link reports that the link is up; it works once both ends have. */
export function confirmTx (state: TreeState | undefined, p: ConfirmParams): TxResult<TxOutput> {
  if (state === undefined) return refuse('TREE_NOT_FOUND')
  const m = getMember(state, p.peerID)
  if (m === undefined || m.epoch !== p.epoch) return refuse('NOT_IN_TREE')
  const end = linkEnd(state, p.peerID, p.session)
  if (end === undefined) return refuse('UNKNOWN_SESSION')
  // The link's state lives with its child either way.
  const child = end.side === 'child' ? m : getMember(state, end.other)
  if (child === undefined) return refuse('UNKNOWN_SESSION')
  if (end.side === 'child') {
    if (child.confirmed) return unchanged()
    child.confirmed = true
  } else {
    if (child.parentConfirmed) return unchanged()
    child.parentConfirmed = true
  }
  return { op: 'put', state, result: { change: emptyChange() } }
}

export type SignalRoute =
  | { ok: true; to: PeerId; side: 'child' | 'parent'; child: PeerId }
  | { ok: false; code: ServerErrorCode }

/** Where a signal on `session` from `actor` goes: only to the other end of one of its links. */
export function signalRoute (state: Readonly<TreeState> | undefined, actor: Actor, session: SessionId): SignalRoute {
  if (state === undefined) return { ok: false, code: 'TREE_NOT_FOUND' }
  const m = getMember(state, actor.peerID)
  if (m === undefined || m.epoch !== actor.epoch) return { ok: false, code: 'NOT_IN_TREE' }
  const end = linkEnd(state, actor.peerID, session)
  if (end === undefined) return { ok: false, code: 'UNKNOWN_SESSION' }
  return { ok: true, to: end.other, side: end.side, child: end.side === 'child' ? actor.peerID : end.other }
}

/** Compare secrets in time independent of where they differ. */
function sameSecret (a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

