/**
 * Where a joining (or moving) member goes. Pure: reads the tree, changes nothing.
 *
 * Breadth-first from the source, children in the order they were attached, so the first
 * eligible node found is the shallowest one and ties go to the earliest in BFS order. That
 * reproduces the original's order and gives breadth-first-optimal depths. This is the one
 * place that chooses a parent: a frontier index (nodes with free slots by depth) can replace
 * the scan here without touching callers.
 */
import type { PeerId } from './protocol.js'
import { capacityOf, getMember } from './tree-state.js'
import type { TreeState } from './tree-state.js'

export interface PlacementOptions {
  /** Members that must not become the parent, nor anything below them (the moving subtree). */
  exclude?: ReadonlySet<PeerId>
  /** A parent to avoid (the one a reconnecting member leaves) unless nothing else fits. */
  avoid?: PeerId | null
}

/**
 * The parent for a new or moving member, or null if no member can take a child.
 *
 * Preference: the shallowest source/relay with a free slot (the source holds k1, a relay k);
 * then, only if there is none, the shallowest leaf with a free slot (up to k); then the
 * avoided parent. Members whose socket is gone (`detached`) take no new children, and nor do
 * members without a path to the source (they are not reached by the scan).
 */
export function choosePlacement (state: Readonly<TreeState>, opts: PlacementOptions = {}): PeerId | null {
  const exclude = opts.exclude
  const avoid = opts.avoid ?? null
  let leafChoice: PeerId | null = null
  let avoidChoice: PeerId | null = null
  const queue: PeerId[] = [state.source]
  // `i <= size` bounds the scan even if the state were ever corrupted into a cycle.
  for (let i = 0; i < queue.length && i <= state.size; i++) {
    const id = queue[i] as PeerId
    if (exclude?.has(id) === true) continue
    const m = getMember(state, id)
    if (m === undefined) continue
    if (!m.detached && m.children.length < capacityOf(state, m)) {
      if (id === avoid) avoidChoice ??= id
      else if (m.role !== 'leaf') return id
      else leafChoice ??= id
    }
    for (const c of m.children) queue.push(c)
  }
  return leafChoice ?? avoidChoice
}
