/**
 * The state of one tree as a plain, JSON-safe object, and the operations on it.
 *
 * No I/O here. The operations mutate the draft they are given (the store hands a private
 * copy to a transaction, or the live object for the in-memory store), so each one checks
 * everything it needs before it changes anything: a failed precondition leaves the draft
 * as it was.
 */
import type { PeerId, PeerRole, SessionId, TreeId } from './protocol.js'

export type MemberRole = 'source' | PeerRole

export interface MemberState {
  /** Upstream member; `null` for the source and for a member waiting for a place. */
  parent: PeerId | null
  /** The link to `parent`; `null` exactly when `parent` is. */
  session: SessionId | null
  /** Downstream members, in the order they were attached. */
  children: PeerId[]
  role: MemberRole
  /** This member, the child end, reported (`peer:connected`) that its link to `parent` is up. */
  confirmed: boolean
  /** The parent end reported (`peer:connected`) that the link to this member is up. */
  parentConfirmed: boolean
  /**
   * Parents that failed this member lately, oldest first, at most `MAX_FAILED_PARENTS`
   * (link-state.ts): placement avoids them while anything else fits.
   */
  failedParents: PeerId[]
  /** Its socket is gone and the grace period runs: it keeps its place but takes no new children. */
  detached: boolean
  /** Secret for `tree:resume`, `<peerID>.<random>`. */
  token: string
  /** Bumped on every resume, so that a stale socket (or process) cannot act for the member. */
  epoch: number
  /**
   * The server process that holds its socket or runs its grace timer (`TxEnv.holder`), or
   * null. When that process dies, another one adopts the member: it waits for a resume for
   * the grace period, then removes it.
   */
  holder: string | null
  /**
   * Links from this member down to the nearest member of its subtree that can take a child
   * now as a relay (or the source): 0 if it can itself, -1 if none can. Relative, so it stays
   * true when the subtree moves; kept up to date by the operations below (`refreshSlots`),
   * it lets placement walk straight down to the breadth-first choice (placement.ts).
   */
  slot: number
  /**
   * Like `slot`, but for a relay: links down to the nearest relay (or the source) of its
   * subtree with room for one more relay child, a free slot or one a leaf-role child holds
   * (that leaf moves down to make room). Lets relay placement walk to the shallowest such
   * slot (relay-first.ts). A leaf child does not change its parent's value, so relays are
   * placed as if they were alone in the tree.
   */
  relayRoom: number
  /**
   * Links from this member down to the deepest leaf-role member of its subtree that has
   * children (they were placed there because no relay had a free slot then): 0 if it is
   * one itself and none is deeper, -1 if there is none. Lets a relay slot that frees later
   * be given to the deepest of them (relay-first.ts).
   */
  leafParent: number
  /**
   * Like `slot`, but for any member, a leaf included: links down to the nearest member of its
   * subtree with a free slot now (its socket present), -1 if none. When no relay or source has
   * one, leaves take children, and this lets placement walk to the shallowest such leaf
   * instead of scanning the whole tree (in a feed's trees, where a third of the members are
   * relays, that happens at about every other join).
   */
  anySlot: number
}

export type PendingReason = 'parent-left' | 'reconnect' | 'moved'

/** A member (with its subtree) that found no free slot yet; placed at the next change. */
export interface PendingEntry {
  peer: PeerId
  reason: PendingReason
}

export interface TreeState {
  v: 1
  treeID: TreeId
  k: number
  k1: number
  /** The owner's public key (base64url) for owned trees. */
  owner: string | null
  source: PeerId
  /** Number of members, the source included. */
  size: number
  /** Keyed by server-minted peer IDs; read it with `getMember` (lookups may come from the network). */
  members: Record<PeerId, MemberState>
  pending: PendingEntry[]
}

export interface NewTree {
  treeID: TreeId
  k: number
  k1: number
  owner: string | null
  source: PeerId
  token: string
  /** The process holding the source's socket. @default null */
  holder?: string | null
}

export function newTree (p: NewTree): TreeState {
  return {
    v: 1,
    treeID: p.treeID,
    k: p.k,
    k1: p.k1,
    owner: p.owner,
    source: p.source,
    size: 1,
    members: { [p.source]: newMember('source', p.token, p.holder ?? null) },
    pending: []
  }
}

function newMember (role: MemberRole, token: string, holder: string | null): MemberState {
  const room = role === 'leaf' ? -1 : 0
  return {
    parent: null,
    session: null,
    children: [],
    role,
    confirmed: false,
    parentConfirmed: false,
    failedParents: [],
    detached: false,
    token,
    epoch: 0,
    holder,
    slot: room,
    relayRoom: room,
    leafParent: -1,
    anySlot: 0
  }
}

/** True if `m` takes a child now in the first round of placement (a relay or the source with room, its socket present). */
export function hasRelaySlot (state: Readonly<TreeState>, m: Readonly<MemberState>): boolean {
  return !m.detached && m.role !== 'leaf' && m.children.length < capacityOf(state, m)
}

/** `m.slot` computed from `m` and its children's `slot`. */
export function slotOf (state: Readonly<TreeState>, m: Readonly<MemberState>): number {
  return hasRelaySlot(state, m) ? 0 : nearestBelow(state, m, (c) => c.slot)
}

/** True if `m` has room for one more relay child now: fewer relay children than its capacity, its socket present. */
export function hasRelayRoom (state: Readonly<TreeState>, m: Readonly<MemberState>): boolean {
  if (m.detached || m.role === 'leaf') return false
  let relays = 0
  for (const c of m.children) if (getMember(state, c)?.role !== 'leaf') relays++
  return relays < capacityOf(state, m)
}

/** `m.relayRoom` computed from `m` and its children's `relayRoom`. */
export function relayRoomOf (state: Readonly<TreeState>, m: Readonly<MemberState>): number {
  return hasRelayRoom(state, m) ? 0 : nearestBelow(state, m, (c) => c.relayRoom)
}

/** True if `m` can take a child at all now, as a relay or (when no relay can) as a leaf. */
export function hasAnySlot (state: Readonly<TreeState>, m: Readonly<MemberState>): boolean {
  return !m.detached && m.children.length < capacityOf(state, m)
}

/** `m.anySlot` computed from `m` and its children's `anySlot`. */
export function anySlotOf (state: Readonly<TreeState>, m: Readonly<MemberState>): number {
  return hasAnySlot(state, m) ? 0 : nearestBelow(state, m, (c) => c.anySlot)
}

/** One link more than the nearest of `m`'s children by `distance` (-1 for none): -1 if none has one. */
function nearestBelow (state: Readonly<TreeState>, m: Readonly<MemberState>, distance: (c: Readonly<MemberState>) => number): number {
  let best = -1
  for (const id of m.children) {
    const c = getMember(state, id)
    const d = c === undefined ? -1 : distance(c)
    if (d >= 0 && (best === -1 || d + 1 < best)) best = d + 1
  }
  return best
}

/** `m.leafParent` computed from `m` and its children's `leafParent`. */
export function leafParentOf (state: Readonly<TreeState>, m: Readonly<MemberState>): number {
  let deepest = m.role === 'leaf' && m.children.length > 0 ? 0 : -1
  for (const c of m.children) {
    const d = getMember(state, c)?.leafParent ?? -1
    if (d >= 0 && d + 1 > deepest) deepest = d + 1
  }
  return deepest
}

/**
 * Recompute `slot`, `relayRoom`, `leafParent` and `anySlot` for `id` after its children or its
 * own state changed, and for its ancestors as long as a value changes: O(depth × k) per change.
 */
export function refreshSlots (state: TreeState, id: PeerId | null): void {
  for (let cur = id, steps = 0; cur !== null && steps <= state.size; steps++) {
    const m = getMember(state, cur)
    if (m === undefined) return
    const slot = slotOf(state, m)
    const relayRoom = relayRoomOf(state, m)
    const leafParent = leafParentOf(state, m)
    const anySlot = anySlotOf(state, m)
    if (slot === m.slot && relayRoom === m.relayRoom && leafParent === m.leafParent && anySlot === m.anySlot) return
    m.slot = slot
    m.relayRoom = relayRoom
    m.leafParent = leafParent
    m.anySlot = anySlot
    cur = m.parent
  }
}

/** The member, or undefined; safe for any string (`__proto__` is just an unknown ID). */
export function getMember (state: Readonly<TreeState>, id: PeerId): MemberState | undefined {
  return Object.hasOwn(state.members, id) ? state.members[id] : undefined
}

/** How many children `member` may hold in this tree: k1 for the source, k for everyone else. */
export function capacityOf (state: Readonly<TreeState>, member: Readonly<MemberState>): number {
  return member.role === 'source' ? state.k1 : state.k
}

/** Add a member that has no place yet (attach it next). */
export function addMember (state: TreeState, id: PeerId, role: PeerRole, token: string, holder: string | null = null): MemberState {
  if (getMember(state, id) !== undefined) throw new Error(`member ${id} exists`)
  const m = newMember(role, token, holder)
  state.members[id] = m
  state.size += 1
  return m
}

/** Hang `id` (with its subtree) under `parent` on link `session`. */
export function attach (state: TreeState, id: PeerId, parent: PeerId, session: SessionId): void {
  const m = getMember(state, id)
  const p = getMember(state, parent)
  if (m === undefined || p === undefined) throw new Error('attach: unknown member')
  if (m.parent !== null) throw new Error('attach: member still has a parent')
  if (isInSubtree(state, id, parent)) throw new Error('attach: would create a cycle')
  p.children.push(id)
  m.parent = parent
  m.session = session
  m.confirmed = false
  m.parentConfirmed = false
  refreshSlots(state, parent)
}

export interface Detached {
  parent: PeerId
  session: SessionId
}

/** Cut `id` (with its subtree) from its parent; returns the link that was cut, or null if it had none. */
export function detach (state: TreeState, id: PeerId): Detached | null {
  const m = getMember(state, id)
  if (m === undefined || m.parent === null || m.session === null) return null
  const p = getMember(state, m.parent)
  const cut = { parent: m.parent, session: m.session }
  if (p !== undefined) {
    const i = p.children.indexOf(id)
    if (i !== -1) p.children.splice(i, 1)
  }
  m.parent = null
  m.session = null
  m.confirmed = false
  m.parentConfirmed = false
  refreshSlots(state, cut.parent)
  return cut
}

/** Mark a member's socket gone (it takes no new children) or back. */
export function setDetached (state: TreeState, id: PeerId, detached: boolean): void {
  const m = getMember(state, id)
  if (m === undefined || m.detached === detached) return
  m.detached = detached
  refreshSlots(state, id)
}

export interface Removed {
  /** The link to its parent that disappeared, if it had one. */
  cut: Detached | null
  /** Its former children, each still holding its own subtree, now without a parent. */
  orphans: PeerId[]
}

/** Remove a member (not the source: ending a tree is the caller's decision). */
export function removeMember (state: TreeState, id: PeerId): Removed {
  const m = getMember(state, id)
  if (m === undefined) throw new Error('remove: unknown member')
  if (id === state.source) throw new Error('remove: the source ends the tree instead')
  const cut = detach(state, id)
  const orphans = m.children.slice()
  for (const c of orphans) {
    const cm = getMember(state, c)
    if (cm === undefined) continue
    cm.parent = null
    cm.session = null
    cm.confirmed = false
    cm.parentConfirmed = false
  }
  delete state.members[id]
  state.size -= 1
  dropPending(state, id)
  return { cut, orphans }
}

export function dropPending (state: TreeState, id: PeerId): void {
  const i = state.pending.findIndex((e) => e.peer === id)
  if (i !== -1) state.pending.splice(i, 1)
}

/** `id` and all its descendants. */
export function subtree (state: Readonly<TreeState>, id: PeerId): Set<PeerId> {
  const seen = new Set<PeerId>()
  if (getMember(state, id) === undefined) return seen
  const queue: PeerId[] = [id]
  seen.add(id)
  for (let i = 0; i < queue.length; i++) {
    const m = getMember(state, queue[i] as PeerId)
    if (m === undefined) continue
    for (const c of m.children) {
      if (!seen.has(c)) { seen.add(c); queue.push(c) }
    }
  }
  return seen
}

/** True if `node` is `root` or below it. Walks up from `node`, so it costs the node's depth. */
export function isInSubtree (state: Readonly<TreeState>, root: PeerId, node: PeerId): boolean {
  let cur: PeerId | null = node
  // At most `size` steps: a bound that also stops on a (never expected) cycle.
  for (let steps = 0; cur !== null && steps <= state.size; steps++) {
    if (cur === root) return true
    cur = getMember(state, cur)?.parent ?? null
  }
  return false
}

/** Links between `id` and the source (0 for the source), or null if `id` is not connected to it. */
export function depthOf (state: Readonly<TreeState>, id: PeerId): number | null {
  let cur: PeerId | null = id
  for (let d = 0; cur !== null && d <= state.size; d++) {
    if (cur === state.source) return d
    cur = getMember(state, cur)?.parent ?? null
  }
  return null
}

export interface LinkEnd {
  /** The member at the other end of the link. */
  other: PeerId
  /** Which end `id` is. */
  side: 'child' | 'parent'
}

/** The other end of link `session` if it is one of `id`'s current links, else undefined. */
export function linkEnd (state: Readonly<TreeState>, id: PeerId, session: SessionId): LinkEnd | undefined {
  const m = getMember(state, id)
  if (m === undefined) return undefined
  if (m.session === session && m.parent !== null) return { other: m.parent, side: 'child' }
  // At most k1 children: a scan is cheaper than keeping a session index in the state.
  for (const c of m.children) {
    if (getMember(state, c)?.session === session) return { other: c, side: 'parent' }
  }
  return undefined
}
