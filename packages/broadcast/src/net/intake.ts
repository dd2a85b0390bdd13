/**
 * The first thing a subscriber does with an arriving block: drop a copy of a block already
 * verified, and verify the rest once per key, before anything else looks at it. With a
 * synchronous verifier (node:crypto) the verdict comes in the same turn, with no promise in
 * between, so that verify and forward happen together; a copy whose twin is being verified
 * asynchronously waits for that verdict.
 */
import type { Ed25519 } from '../crypto/ed25519.js'
import { BlockDedup, type AdmitResult } from '../dedup.js'
import type { InvalidReason } from '../errors.js'
import { verifyBlock, verifyBlockSync, type VerifiedBlock, type VerifyBlockResult } from '../log/block.js'
import type { BlockMessage } from '../wire.js'

/** What the intake made of one block: `verified` is set for the first verified copy only. */
export interface Verdict {
  result: AdmitResult
  verified: VerifiedBlock | undefined
  /** Why a rejected copy failed. */
  reason: InvalidReason
}

export class Intake {
  readonly dedup: BlockDedup
  readonly #ed: Ed25519
  readonly #feedKey: Uint8Array

  constructor (feedKey: Uint8Array, ed25519: Ed25519, dedupWindow: number | undefined) {
    this.#feedKey = feedKey
    this.#ed = ed25519
    this.dedup = new BlockDedup(dedupWindow === undefined ? {} : { window: dedupWindow })
  }

  /**
   * Classifies the block at `index` (peeked from its header) and calls `done` with the
   * verdict: at once when it can, else after an asynchronous verification. `failed` gets what
   * an asynchronous verifier threw.
   */
  admit (index: number, block: BlockMessage['block'], done: (verdict: Verdict) => void, failed: (err: unknown) => void): void {
    let verified: VerifiedBlock | undefined
    let reason: InvalidReason = 'BAD_SIGNATURE'
    const note = (r: VerifyBlockResult): boolean => {
      if (r.ok) verified = r.block
      else reason = r.reason
      return r.ok
    }
    const sync = this.#ed.verifySync
    const now = sync === undefined
      ? undefined
      : this.dedup.admitSync(index, block.signature, () => note(verifyBlockSync(block, this.#feedKey, sync)))
    if (now !== undefined) {
      done({ result: now, verified, reason })
      return
    }
    this.dedup.admit(index, block.signature, async () => note(await verifyBlock(block, this.#feedKey, this.#ed)))
      .then((result) => { done({ result, verified, reason }) })
      .catch(failed)
  }
}
