/**
 * Where members go inside a transaction: placing one (relay-first for relays), the leaf a
 * relay displaces, the member a freed relay slot pulls up, orphans and members waiting for a
 * slot. Pure, like transitions.ts: the draft changes, the messages go into `change`.
 */
import { choosePlacement } from './placement.js'
import type { PlacementOptions } from './placement.js'
import { choosePullUp, chooseRelayPlacement } from './relay-first.js'
import type { RelayPlacement } from './relay-first.js'
import type { DiscoverReason, PeerId, PeerRole } from './protocol.js'
import { attach, detach, dropPending, getMember, subtree } from './tree-state.js'
import type { PendingReason, TreeState } from './tree-state.js'
import type { Change, TxEnv } from './transitions.js'

/** Hang `id` under `parent` on a new link and announce it to both ends (the parent first). */
export function placeUnder (state: TreeState, id: PeerId, parent: PeerId, reason: DiscoverReason, env: TxEnv, change: Change): void {
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
export function choosePlace (state: Readonly<TreeState>, role: PeerRole, opts: PlacementOptions = {}): RelayPlacement | null {
  if (role !== 'leaf') return chooseRelayPlacement(state, opts)
  const parent = choosePlacement(state, opts)
  return parent === null ? null : { parent, displace: null }
}

/**
 * Hang `id` where `place` says. A leaf that gives up its slot is told to go (`peer:unlink`
 * to its parent, `tree:discover` with reason `moved` to it) and placed under the shallowest
 * free slot, which is never below itself; leaves displace nobody, so it is the only move.
 */
export function placeAt (state: TreeState, id: PeerId, place: RelayPlacement, reason: DiscoverReason, env: TxEnv, change: Change): void {
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
export function pullUp (state: TreeState, env: TxEnv, change: Change): void {
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
export function placeMember (state: TreeState, id: PeerId, reason: DiscoverReason, env: TxEnv, change: Change, avoid: PeerId | null = null): boolean {
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
export function retryPending (state: TreeState, env: TxEnv, change: Change): void {
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
export function rehome (state: TreeState, orphans: readonly PeerId[], reason: PendingReason, env: TxEnv, change: Change): void {
  // Relays first: a leaf placed first could take a slot a relay then needs, and move twice.
  for (const id of relaysFirst(state, orphans)) {
    if (placeMember(state, id, reason, env, change)) change.repairs += 1
    else state.pending.push({ peer: id, reason })
  }
}
