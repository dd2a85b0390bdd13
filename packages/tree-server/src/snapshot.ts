/** A plain description of one tree, for tests, demos and monitoring. */
import type { PeerId, SessionId, TreeId } from './protocol.js'
import { getMember } from './tree-state.js'
import type { MemberRole, TreeState } from './tree-state.js'

export interface PeerSnapshot {
  peerID: PeerId
  parent: PeerId | null
  /** The link to the parent. */
  session: SessionId | null
  /** In the order they were attached. */
  children: PeerId[]
  /**
   * Links from the source (0 for the source); -1 for a member cut off from the source
   * (waiting for a place, or below one that waits).
   */
  depth: number
  role: MemberRole
  /** This member (the child end) confirmed its link to the parent with `peer:connected`. */
  confirmed: boolean
  /** The parent end confirmed it too; the link works only when both did. */
  parentConfirmed: boolean
  /** Parents that failed this member lately, oldest first; placement avoids them while it can. */
  failedParents: PeerId[]
  /** Its socket is gone and it waits for a resume. */
  detached: boolean
  /** The process holding its socket or grace timer (`processID`), or null. */
  holder: string | null
}

export interface TreeSnapshot {
  treeID: TreeId
  source: PeerId
  k: number
  k1: number
  owner: string | null
  size: number
  /** Every member, in breadth-first order from the source; members cut off from it last. */
  peers: PeerSnapshot[]
  /** Members (with their subtrees) waiting for a free slot. */
  pending: PeerId[]
}

export function snapshotOf (state: Readonly<TreeState>): TreeSnapshot {
  const depths = new Map<PeerId, number>([[state.source, 0]])
  const order: PeerId[] = [state.source]
  for (let i = 0; i < order.length && i <= state.size; i++) {
    const id = order[i] as PeerId
    const d = depths.get(id) ?? 0
    for (const c of getMember(state, id)?.children ?? []) {
      if (!depths.has(c)) { depths.set(c, d + 1); order.push(c) }
    }
  }
  for (const id of Object.keys(state.members)) if (!depths.has(id)) order.push(id)

  const peers: PeerSnapshot[] = []
  for (const id of order) {
    const m = getMember(state, id)
    if (m === undefined) continue
    peers.push({
      peerID: id,
      parent: m.parent,
      session: m.session,
      children: m.children.slice(),
      depth: depths.get(id) ?? -1,
      role: m.role,
      confirmed: m.confirmed,
      parentConfirmed: m.parentConfirmed,
      failedParents: m.failedParents.slice(),
      detached: m.detached,
      holder: m.holder ?? null
    })
  }
  return {
    treeID: state.treeID,
    source: state.source,
    k: state.k,
    k1: state.k1,
    owner: state.owner,
    size: state.size,
    peers,
    pending: state.pending.map((e) => e.peer)
  }
}
