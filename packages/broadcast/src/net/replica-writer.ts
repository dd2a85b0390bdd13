/**
 * A subscriber's full replica: every delivered block appended to a BlockStore in order, and
 * on start the blocks it already holds verified and loaded again (see replica-load.ts).
 */
import type { Ed25519 } from '../crypto/ed25519.js'
import type { VerifiedBlock } from '../log/block.js'
import type { FeedLog } from '../log/feed-log.js'
import type { BlockStore } from './block-store.js'
import { loadReplicaBlocks } from './replica-load.js'

export class ReplicaWriter {
  readonly store: BlockStore
  #writes: Promise<void> = Promise.resolve()
  readonly #report: (err: unknown) => void

  constructor (store: BlockStore, report: (err: unknown) => void) {
    this.store = store
    this.#report = report
  }

  /** Verifies and hands `admit` each stored block; resolves with the blocks loaded. */
  async load (feedKey: Uint8Array, ed25519: Ed25519, admit: (block: VerifiedBlock) => boolean): Promise<number> {
    return (await loadReplicaBlocks(this.store, feedKey, ed25519, admit)).loaded
  }

  /** Appends the blocks the log delivered since the last call, in order; `bytes` encodes one. */
  follow (log: FeedLog, bytes: (index: number) => Uint8Array | undefined): void {
    const store = this.store
    while (store.length < log.deliveredBlocks) {
      const index = store.length
      const encoded = bytes(index)
      if (encoded === undefined) break
      const write = store.append(index, encoded)
      this.#writes = this.#writes.then(() => write).catch((err: unknown) => this.#report(err))
    }
  }

  /** Resolves once every block handed over is written. */
  async flush (): Promise<void> {
    await this.#writes
  }
}
