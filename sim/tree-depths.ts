/**
 * Depths in the server's trees, and the breadth-first optimum they are held to: relays take
 * the shallow slots, so each level holds what the relays above it can feed (the source k1,
 * each relay k); leaves take children only once relays ran out. Pure, on the tree state.
 */
import { getMember, type TreeState } from '../packages/tree-server/src/tree-state.js'

/** Depth of every member reached from the source (the source 0). */
export function depthsOf (state: Readonly<TreeState>): Map<string, number> {
  const depth = new Map<string, number>([[state.source, 0]])
  const queue = [state.source]
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string
    const d = depth.get(id) as number
    for (const c of getMember(state, id)?.children ?? []) {
      if (depth.has(c)) continue
      depth.set(c, d + 1)
      queue.push(c)
    }
  }
  return depth
}

/** The smallest depth that holds `relays` relays and `leaves` leaves under a source of k1 slots. */
export function optimumDepth (relays: number, leaves: number, k: number, k1: number): number {
  return optimumLevels(relays, leaves, k, k1).length
}

/** How many relays the breadth-first optimum puts at each depth (index 0 is depth 1). */
export function optimumRelayLevels (relays: number, k: number, k1: number): number[] {
  return optimumLevels(relays, 0, k, k1).map((l) => l.relays)
}

function optimumLevels (relays: number, leaves: number, k: number, k1: number): Array<{ relays: number, leaves: number }> {
  const levels: Array<{ relays: number, leaves: number }> = []
  let slots = k1
  let r = relays
  let l = leaves
  while (r + l > 0) {
    if (slots <= 0) return [...levels, ...Array.from({ length: 1_000 }, () => ({ relays: 0, leaves: 0 }))]
    const rHere = Math.min(r, slots)
    const lHere = Math.min(l, slots - rHere)
    levels.push({ relays: rHere, leaves: lHere })
    r -= rHere
    l -= lHere
    // Leaves feed the next level only when no relay is left to.
    slots = rHere * k + (r === 0 ? lHere * k : 0)
  }
  return levels
}

export interface TreeDepthReport {
  tree: number
  /** Members other than the source. */
  members: number
  relays: number
  /** Members per depth, index 0 being depth 1. */
  histogram: number[]
  /** Relays per depth, index 0 being depth 1. */
  relayHistogram: number[]
  depth: number
  optimum: number
  relayDepth: number
  relayOptimum: number
  /** Relays at exactly the breadth-first optimum's levels (the same count at every depth). */
  relaysAtOptimum: boolean
  /** Members with no path to the source (waiting for a place). */
  cutOff: number
}

/** The depth report of one tree; `include` picks the members counted (all when absent). */
export function depthReport (tree: number, state: Readonly<TreeState>, include?: (peerID: string) => boolean): TreeDepthReport {
  const depth = depthsOf(state)
  const histogram: number[] = []
  const relayHistogram: number[] = []
  let members = 0
  let relays = 0
  let cutOff = 0
  for (const id of Object.keys(state.members)) {
    if (id === state.source || (include !== undefined && !include(id))) continue
    members++
    const m = getMember(state, id)
    const relay = m?.role === 'relay'
    if (relay) relays++
    const d = depth.get(id)
    if (d === undefined) { cutOff++; continue }
    histogram[d - 1] = (histogram[d - 1] ?? 0) + 1
    if (relay) relayHistogram[d - 1] = (relayHistogram[d - 1] ?? 0) + 1
  }
  const fill = (xs: number[]): number[] => Array.from({ length: xs.length }, (_, i) => xs[i] ?? 0)
  const relayLevels = optimumRelayLevels(relays, state.k, state.k1)
  const rh = fill(relayHistogram)
  return {
    tree,
    members,
    relays,
    histogram: fill(histogram),
    relayHistogram: rh,
    depth: histogram.length,
    optimum: optimumDepth(relays, members - relays, state.k, state.k1),
    relayDepth: relayHistogram.length,
    relayOptimum: relayLevels.length,
    relaysAtOptimum: rh.length === relayLevels.length && rh.every((n, i) => n === relayLevels[i]),
    cutOff
  }
}
