/**
 * Loading a replica after a restart: every stored block is verified again, in order, and
 * loading stops at the first record that does not decode, verify or follow the log. The
 * replica is then cut back to the blocks before it (the store keeps the dropped bytes, see
 * FileBlockStore), so that the blocks delivered next are appended in order; the subscriber
 * goes on from the last good block and fetches the rest from its peers.
 */
import type { Ed25519 } from '../crypto/ed25519.js'
import { verifyBlock, type VerifiedBlock } from '../log/block.js'
import { storedBlock, type BlockStore } from './block-store.js'

export interface ReplicaLoad {
  /** Blocks verified and loaded, from index 0. */
  loaded: number
  /** Records dropped from the replica (the bad one and those after it). */
  dropped: number
  /** Why loading stopped early: the record that did not decode, verify or follow. */
  reason?: string
  /** Where the store kept the dropped bytes, when it says. */
  preserved?: string
}

/**
 * Verifies and loads the blocks of `replica` from index 0: `admit` takes each one and says
 * whether the log accepted it. Throws only when the replica needs repair and its store
 * cannot be cut back (no `truncate`), since appending after a bad record would break its order.
 */
export async function loadReplicaBlocks (
  replica: BlockStore, feedKey: Uint8Array, ed25519: Ed25519, admit: (block: VerifiedBlock) => boolean
): Promise<ReplicaLoad> {
  const total = replica.length
  let reason: string | undefined
  let i = 0
  for (; i < total; i++) {
    const stored = await storedBlock(replica, i)
    if (stored === undefined) { reason = 'MALFORMED'; break }
    const r = await verifyBlock(stored, feedKey, ed25519)
    if (!r.ok) { reason = r.reason; break }
    if (r.block.index !== i) { reason = 'WRONG_INDEX'; break }
    if (!admit(r.block)) { reason = 'REJECTED_BY_LOG'; break }
  }
  if (i === total) return { loaded: total, dropped: 0 }
  if (replica.truncate === undefined) {
    throw new Error(`replica block ${i} does not load (${reason}) and the store cannot drop it (no truncate)`)
  }
  const preserved = await replica.truncate(i)
  return { loaded: i, dropped: total - i, ...(reason !== undefined && { reason }), ...(preserved !== undefined && { preserved }) }
}
