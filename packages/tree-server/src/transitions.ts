/**
 * Every change to a tree, as a transaction body for `TreeStore.transact`: it takes the
 * current state, changes the draft, and returns what to write plus the messages to send
 * once the write has committed. No I/O here; IDs for new links come from `env`.
 */
import { linkWorks, recordFailedParent } from './link-state.js'
import { choosePlace, placeAt, placeMember, pullUp, rehome, retryPending } from './placing.js'
import type { PeerId, PeerRole, ServerErrorCode, ServerToClientEvents, SessionId } from './protocol.js'
import type { TxResult } from './store/store.js'
import {
  addMember, detach, dropPending, getMember, linkEnd, newTree, removeMember, setDetached
} from './tree-state.js'
import type { NewTree, TreeState } from './tree-state.js'

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
  /** This server process, recorded as the `holder` of the members it binds. @default null */
  holder?: string
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
  addMember(state, p.peerID, p.role, p.token, env.holder ?? null)
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

export interface AdoptParams {
  peerID: PeerId
  /** The process that died holding the member. */
  from: string
}

/**
 * Another process died holding this member: this process (`env.holder`) takes it over as if
 * its socket had just gone, so the member waits the grace period for a resume. A member that
 * resumed (or was adopted) elsewhere meanwhile has another holder and is left alone.
 */
export function adoptTx (state: TreeState | undefined, p: AdoptParams, env: TxEnv): TxResult<TxOutput & { adopted?: Actor }> {
  const m = state === undefined ? undefined : getMember(state, p.peerID)
  if (state === undefined || m === undefined || m.holder !== p.from) return unchanged()
  m.holder = env.holder ?? null
  // The dead process's binding goes stale: should it come back, it cannot act for the member.
  m.epoch += 1
  setDetached(state, p.peerID, true)
  return { op: 'put', state, result: { change: emptyChange(), adopted: { peerID: p.peerID, epoch: m.epoch } } }
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
 * The links a change opens, each of which must be confirmed by both ends before its deadline
 * (`linkExpiredTx` then checks it): every placement under a parent. A resume hands a member
 * back the link it already had, whose deadline was set when that link was made, so it opens none.
 */
export function linksOpenedBy (out: readonly Outgoing[]): LinkCheck[] {
  const links: LinkCheck[] = []
  for (const o of out) {
    if (o.event !== 'tree:discover' || o.payload.session === null || o.payload.reason === 'resume') continue
    links.push({ child: o.to, session: o.payload.session })
  }
  return links
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
  m.holder = env.holder ?? null
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
