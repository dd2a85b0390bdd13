/**
 * Where a joining (or moving) member goes. Pure: reads the tree, changes nothing.
 *
 * Breadth-first from the source, children in the order they were attached, so the first
 * eligible node found is the shallowest one and ties go to the earliest in BFS order. That
 * reproduces the original's order and gives breadth-first-optimal depths.
 *
 * The common case does not scan: every member knows how many links down its nearest relay
 * slot is (`slot`, kept by tree-state.ts), so walking from the source into the first child
 * one link closer reaches the shallowest slot, and among equally shallow ones the first in
 * breadth-first order (the one whose path takes the earliest children). O(depth × k). With no
 * relay slot left, leaves take children: a second index (`anySlot`) walks to the shallowest,
 * earliest member with any free slot, which is then that leaf. The scan remains for what the
 * walks do not decide: the slot found is a parent to avoid, or in the moving subtree.
 */
import type { PeerId } from './protocol.js'
import { capacityOf, getMember, hasAnySlot, hasRelaySlot } from './tree-state.js'
import type { MemberState, TreeState } from './tree-state.js'

export interface PlacementOptions {
  /** Members that must not become the parent, nor anything below them (the moving subtree). */
  exclude?: ReadonlySet<PeerId>
  /** A parent to avoid (the one a reconnecting member leaves) unless nothing else fits. */
  avoid?: PeerId | null
  /** More parents to avoid the same way (those that failed the member lately). */
  avoidAlso?: ReadonlySet<PeerId>
}

/** Whether `id` is one of the parents `opts` says to avoid. */
export function isAvoided (id: PeerId, opts: PlacementOptions): boolean {
  return id === (opts.avoid ?? null) || opts.avoidAlso?.has(id) === true
}

/**
 * The parent for a new or moving member, or null if no member can take a child.
 *
 * Preference: the shallowest source/relay with a free slot (the source holds k1, a relay k);
 * then, only if there is none, the shallowest leaf with a free slot (up to k); then the
 * avoided parents. Members whose socket is gone (`detached`) take no new children, and nor do
 * members without a path to the source (they are not reached by the scan).
 */
export function choosePlacement (state: Readonly<TreeState>, opts: PlacementOptions = {}): PeerId | null {
  const allowed = (id: PeerId | null): id is PeerId => id !== null && !isAvoided(id, opts) && opts.exclude?.has(id) !== true
  const fast = walkToSlot(state)
  if (allowed(fast)) return fast
  if (fast === null) {
    // No relay slot: the shallowest, earliest free slot of any member is the leaf the scan would pick.
    const leaf = walkToAnySlot(state)
    if (allowed(leaf)) return leaf
  }
  return scanForSlot(state, opts)
}

/** The shallowest, then earliest, member with any free slot reachable from the source, by following `anySlot`. */
export function walkToAnySlot (state: Readonly<TreeState>): PeerId | null {
  return walkDown(state, (m) => m.anySlot, (m) => hasAnySlot(state, m))
}

/** The shallowest, then earliest, relay slot reachable from the source, by following `slot`. */
export function walkToSlot (state: Readonly<TreeState>): PeerId | null {
  return walkDown(state, (m) => m.slot, (m) => hasRelaySlot(state, m))
}

/**
 * Follows a per-member distance index (links down to the nearest member of the subtree the
 * index is about, -1 for none) from the source: at each step into the first child one link
 * closer, so the member reached is the shallowest, then earliest in breadth-first order.
 * Null when the index says there is none, or disagrees with the tree, or the member reached
 * does not `fit` (the index's own rule, checked on the member itself): the caller scans.
 */
export function walkDown (state: Readonly<TreeState>, distance: (m: Readonly<MemberState>) => number, fits: (m: Readonly<MemberState>) => boolean): PeerId | null {
  let id = state.source
  let m = getMember(state, id)
  // At most `size` steps: a bound that also stops on a (never expected) cycle.
  for (let steps = 0; m !== undefined && distance(m) > 0 && steps <= state.size; steps++) {
    const want = distance(m) - 1
    const next: PeerId | undefined = m.children.find((c) => { const cm = getMember(state, c); return cm !== undefined && distance(cm) === want })
    if (next === undefined) return null
    id = next
    m = getMember(state, id)
  }
  return m !== undefined && distance(m) === 0 && fits(m) ? id : null
}

/** The breadth-first scan: the reference the walk agrees with, and the fallbacks. */
export function scanForSlot (state: Readonly<TreeState>, opts: PlacementOptions = {}): PeerId | null {
  return scanBreadthFirst(state, opts, (m) => hasRelaySlot(state, m))
}

/**
 * Breadth-first from the source, children in the order they were attached: the first member
 * `preferred` accepts, unless avoided; else the first leaf with a free slot (leaves take
 * children only when no preferred member is left); else the first avoided one. Members in
 * `opts.exclude` and below them are skipped, and so are members without a path to the source.
 */
export function scanBreadthFirst (state: Readonly<TreeState>, opts: PlacementOptions, preferred: (m: Readonly<MemberState>) => boolean): PeerId | null {
  const exclude = opts.exclude
  let leafChoice: PeerId | null = null
  let avoidChoice: PeerId | null = null
  const queue: PeerId[] = [state.source]
  // `i <= size` bounds the scan even if the state were ever corrupted into a cycle.
  for (let i = 0; i < queue.length && i <= state.size; i++) {
    const id = queue[i] as PeerId
    if (exclude?.has(id) === true) continue
    const m = getMember(state, id)
    if (m === undefined) continue
    if (preferred(m)) {
      if (!isAvoided(id, opts)) return id
      avoidChoice ??= id
    } else if (!m.detached && m.children.length < capacityOf(state, m)) {
      // A free slot the preference passed over: a leaf's (a relay or the source has none then).
      if (isAvoided(id, opts)) avoidChoice ??= id
      else leafChoice ??= id
    }
    for (const c of m.children) queue.push(c)
  }
  return leafChoice ?? avoidChoice
}
