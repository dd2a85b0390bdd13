/** Builds tree states through the same transactions the server runs, with readable IDs. */
import { expect } from 'vitest'
import type { PeerRole } from '../../src/protocol.js'
import { createTx, joinTx } from '../../src/transitions.js'
import type { TxEnv, TxOutput } from '../../src/transitions.js'
import { anySlotOf, capacityOf, getMember, leafParentOf, relayRoomOf, slotOf, subtree } from '../../src/tree-state.js'
import type { TreeState } from '../../src/tree-state.js'

/** Session IDs s1, s2, ... */
export function testEnv (): TxEnv {
  let n = 0
  return { mintSession: () => `s${++n}` }
}

export function newState (k: number, k1: number): TreeState {
  const r = createTx(undefined, { treeID: 't', k, k1, owner: null, source: 'src', token: 'src.x', ref: 'r' })
  if (r.op !== 'put') throw new Error('create failed')
  return r.state
}

export function join (state: TreeState, id: string, env: TxEnv, role: PeerRole = 'relay'): TxOutput {
  const out = joinTx(state, { peerID: id, role, token: `${id}.x`, maxPeers: 1_000_000 }, env).result
  expect(out.error).toBeUndefined()
  return out
}

export function parentOf (state: TreeState, id: string): string | null | undefined {
  return getMember(state, id)?.parent
}

/** Links from the source, or -1 if cut off. */
export function depth (state: TreeState, id: string): number {
  let d = 0
  let cur: string | null = id
  while (cur !== null && cur !== state.source) {
    cur = getMember(state, cur)?.parent ?? null
    d++
    if (d > state.size) return -1
  }
  return cur === state.source ? d : -1
}

/**
 * Every structural rule of a tree state. Returns the problems found (empty when sound):
 * links agree on both ends, nobody holds more children than allowed, no cycles, every
 * member is reached from the source exactly once or hangs below a waiting (pending) member.
 */
export function problems (state: TreeState): string[] {
  const out: string[] = []
  const ids = Object.keys(state.members)
  if (ids.length !== state.size) out.push(`size ${state.size} but ${ids.length} members`)
  const src = getMember(state, state.source)
  if (src === undefined) out.push('no source member')
  else if (src.parent !== null) out.push('the source has a parent')
  for (const id of ids) {
    const m = getMember(state, id)
    if (m === undefined) continue
    if ((m.parent === null) !== (m.session === null)) out.push(`${id}: parent and session disagree`)
    if (m.children.length > capacityOf(state, m)) out.push(`${id}: ${m.children.length} children over its limit`)
    // The placement index: every member's slot distance agrees with its children's.
    if (m.slot !== slotOf(state, m)) out.push(`${id}: slot ${m.slot} but ${slotOf(state, m)} from its children`)
    if (m.relayRoom !== relayRoomOf(state, m)) out.push(`${id}: relayRoom ${m.relayRoom} but ${relayRoomOf(state, m)} from its children`)
    if (m.leafParent !== leafParentOf(state, m)) out.push(`${id}: leafParent ${m.leafParent} but ${leafParentOf(state, m)} from its children`)
    if (m.anySlot !== anySlotOf(state, m)) out.push(`${id}: anySlot ${m.anySlot} but ${anySlotOf(state, m)} from its children`)
    if (new Set(m.children).size !== m.children.length) out.push(`${id}: a child listed twice`)
    for (const c of m.children) {
      if (getMember(state, c)?.parent !== id) out.push(`${id}: child ${c} does not point back`)
    }
    if (m.parent !== null) {
      const p = getMember(state, m.parent)
      if (p === undefined) out.push(`${id}: parent ${m.parent} is not a member`)
      else if (!p.children.includes(id)) out.push(`${id}: parent ${m.parent} does not list it`)
    }
  }
  // Reached from the source exactly once (a BFS that counts visits).
  const seen = new Map<string, number>()
  const queue = [state.source]
  for (let i = 0; i < queue.length && i <= state.size * 2; i++) {
    const id = queue[i] as string
    seen.set(id, (seen.get(id) ?? 0) + 1)
    for (const c of getMember(state, id)?.children ?? []) queue.push(c)
  }
  for (const [id, n] of seen) if (n > 1) out.push(`${id}: reached ${n} times (a cycle or a shared child)`)
  const waiting = new Set<string>()
  for (const e of state.pending) {
    if (parentOf(state, e.peer) !== null) out.push(`pending ${e.peer} has a parent`)
    for (const d of subtree(state, e.peer)) waiting.add(d)
  }
  for (const id of ids) {
    if (!seen.has(id) && !waiting.has(id)) out.push(`${id}: lost (neither reachable nor waiting)`)
    if (seen.has(id) && waiting.has(id)) out.push(`${id}: both reachable and waiting`)
  }
  return out
}
