/**
 * Where a relay-role member goes: relays take the shallow slots, leaves make way.
 *
 * A feed subscriber joins every tree of its feed, as a relay in one and a leaf in the
 * others, so in each tree most members are leaves, and they may join first. Placed
 * first-come, they would hold the source's and the relays' slots and push the relays (and
 * everything below them) deep. So a relay is placed as if the tree's leaves were not
 * there: under the shallowest relay (or the source) with fewer relay children than its
 * capacity, ties in breadth-first order. If all that member's slots are taken, a leaf-role
 * child holds one: that leaf gives it up and moves down, with its subtree, to the
 * shallowest free slot (placement.ts), which the new relay itself offers if nothing
 * shallower does. Leaves never displace anyone, so a placement moves at most one other
 * member, and the relays of every tree form the breadth-first-optimal tree they would form
 * alone, whatever order relays and leaves came in.
 *
 * Leaves still take children when no relay has a free slot (the members placed first in a
 * new tree may all be leaves). When a relay slot is free again, shallower than the deepest
 * of those leaf-parented members, that member (with its subtree) moves up into it: one move
 * per change (`choosePullUp`), the deepest first.
 *
 * As in placement.ts the common case walks an index (`relayRoom`, kept by tree-state.ts)
 * in O(depth × k); the scan decides what the walk does not (no room for a relay anywhere,
 * or the room found is the parent to avoid). Pure: reads the tree, changes nothing.
 */
import { isAvoided, scanBreadthFirst, walkDown, walkToSlot } from './placement.js'
import type { PlacementOptions } from './placement.js'
import type { PeerId } from './protocol.js'
import { capacityOf, depthOf, getMember, hasRelayRoom, isInSubtree } from './tree-state.js'
import type { MemberState, TreeState } from './tree-state.js'

export interface RelayPlacement {
  parent: PeerId
  /** The leaf-role child of `parent` that gives up its slot, or null when `parent` has a free one. */
  displace: PeerId | null
}

/**
 * The place for a new or moving relay, or null if no member can take it.
 *
 * Preference: the shallowest relay or source with room for a relay (a free slot, or one a
 * leaf holds); then, only if there is none, the shallowest leaf with a free slot (the
 * fallback leaves also use); then the avoided parent.
 */
export function chooseRelayPlacement (state: Readonly<TreeState>, opts: PlacementOptions = {}): RelayPlacement | null {
  const walked = walkToRelayRoom(state)
  const ok = walked !== null && !isAvoided(walked, opts) && opts.exclude?.has(walked) !== true
  const parent = ok ? walked : scanForRelayRoom(state, opts)
  const m = parent === null ? undefined : getMember(state, parent)
  if (parent === null || m === undefined) return null
  if (m.children.length < capacityOf(state, m)) return { parent, displace: null }
  const leaf = leafToDisplace(state, m)
  return leaf === null ? null : { parent, displace: leaf }
}

/** The shallowest, then earliest, room for a relay reachable from the source, by following `relayRoom`. */
export function walkToRelayRoom (state: Readonly<TreeState>): PeerId | null {
  return walkDown(state, (m) => m.relayRoom, (m) => hasRelayRoom(state, m))
}

/** The breadth-first scan: the reference the walk agrees with, and the fallbacks. */
export function scanForRelayRoom (state: Readonly<TreeState>, opts: PlacementOptions = {}): PeerId | null {
  return scanBreadthFirst(state, opts, (m) => hasRelayRoom(state, m))
}

export interface PullUp {
  /** A member whose parent is a leaf; it moves with its subtree. */
  member: PeerId
  /** A relay (or the source) with a free slot, shallower than the member's parent. */
  parent: PeerId
}

/**
 * The member under the deepest leaf parent and the shallowest free relay slot, if that slot
 * is shallower than where the member hangs now (so the move makes it, and its subtree,
 * strictly shallower), else null. O(depth × k).
 */
export function choosePullUp (state: Readonly<TreeState>): PullUp | null {
  const leafParent = walkToLeafParent(state)
  const target = walkToSlot(state)
  if (leafParent === null || target === null) return null
  const from = depthOf(state, leafParent)
  const to = depthOf(state, target)
  if (from === null || to === null || to >= from) return null
  const lp = getMember(state, leafParent)
  const member = lp === undefined ? null : lastChild(state, lp, () => true)
  // A relay slot inside the member's own subtree (a relay that hangs below a leaf) is no place for it.
  if (member === null || isInSubtree(state, member, target)) return null
  return { member, parent: target }
}

/** The deepest leaf-role member with children reachable from the source, by following `leafParent`. */
export function walkToLeafParent (state: Readonly<TreeState>): PeerId | null {
  return walkDown(state, (m) => m.leafParent, (m) => m.role === 'leaf' && m.children.length > 0)
}

/** The last child of `parent` passing `ok`, one without children if there is one. */
function lastChild (state: Readonly<TreeState>, parent: Readonly<MemberState>, ok: (c: Readonly<MemberState>) => boolean): PeerId | null {
  let withChildren: PeerId | null = null
  for (let i = parent.children.length - 1; i >= 0; i--) {
    const id = parent.children[i] as PeerId
    const c = getMember(state, id)
    if (c === undefined || !ok(c)) continue
    if (c.children.length === 0) return id
    withChildren ??= id
  }
  return withChildren
}

/**
 * Which leaf child of a full `parent` gives up its slot: the last one without children
 * (one link changes), else the last one (its subtree moves with it).
 */
function leafToDisplace (state: Readonly<TreeState>, parent: Readonly<MemberState>): PeerId | null {
  return lastChild(state, parent, (c) => c.role === 'leaf')
}
