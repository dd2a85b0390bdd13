/**
 * Whether a link works, and the parents that failed a member. Pure, on the tree state.
 *
 * A link counts as working only once both of its ends said so (`peer:connected`): a child
 * alone could claim a parent it never reached, and a parent alone could claim children it
 * never serves. Claims of either end cost an attacker nothing; both ends together cost it
 * a working link.
 */
import { MAX_FAILED_PARENTS } from './constants.js'
import type { PeerId } from './protocol.js'
import { getMember } from './tree-state.js'
import type { MemberState, TreeState } from './tree-state.js'

/** The member's link to its parent was confirmed by both ends. */
export function linkWorks (m: Readonly<MemberState>): boolean {
  return m.parent !== null && m.confirmed && m.parentConfirmed
}

/** Remember `parent` as the latest to fail `m`, keeping the last `MAX_FAILED_PARENTS`. */
export function recordFailedParent (m: MemberState, parent: PeerId): void {
  const i = m.failedParents.indexOf(parent)
  if (i !== -1) m.failedParents.splice(i, 1)
  m.failedParents.push(parent)
  if (m.failedParents.length > MAX_FAILED_PARENTS) m.failedParents.splice(0, m.failedParents.length - MAX_FAILED_PARENTS)
}

/** Relay-role members reached from the source over working links only. */
export function workingRelays (state: Readonly<TreeState>): number {
  let n = 0
  const queue: PeerId[] = [state.source]
  for (let i = 0; i < queue.length && i <= state.size; i++) {
    const m = getMember(state, queue[i] as PeerId)
    if (m === undefined) continue
    if (m.role === 'relay') n++
    for (const c of m.children) {
      const cm = getMember(state, c)
      if (cm !== undefined && linkWorks(cm)) queue.push(c)
    }
  }
  return n
}
