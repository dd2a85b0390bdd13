import { encodeExport } from '../log/export.js'
import type { RawBlock } from '../log/block.js'
import { decodeMessage, MessageType } from '../wire.js'

/**
 * Where a source keeps every block it made (encoded BLOCK messages), to answer WANTs and to
 * continue its log after a restart. In memory by default; `HypercoreArchive`
 * (peer-tree-broadcast/archive, Node only) keeps them on disk.
 */
export interface BlockStore {
  /** Blocks held, counting appends not yet written: block `i` is the i-th append. */
  readonly length: number
  /** Appends block `index`, which must equal `length`. */
  append: (index: number, bytes: Uint8Array) => Promise<void>
  get: (index: number) => Promise<Uint8Array | undefined>
  /**
   * Drops blocks `length` and after, so that appends go on from `length`; a replica whose
   * block does not verify is cut back to the blocks before it. A store that keeps what it
   * drops (FileBlockStore: a side file) resolves with where. Optional: a store without it
   * cannot be used as a replica that needs repair.
   */
  truncate?: (length: number) => Promise<string | undefined>
  close: () => Promise<void>
  /** The feed a store belongs to, when it knows (IndexedDbBlockStore): a replica for another feed is refused. */
  readonly feedKey?: Uint8Array
}

export class MemoryBlockStore implements BlockStore {
  #blocks: Uint8Array[] = []

  get length (): number { return this.#blocks.length }

  async append (index: number, bytes: Uint8Array): Promise<void> {
    if (index !== this.#blocks.length) throw new RangeError(`block ${index} appended at length ${this.#blocks.length}`)
    this.#blocks.push(bytes)
  }

  async get (index: number): Promise<Uint8Array | undefined> {
    return this.#blocks[index]
  }

  async truncate (length: number): Promise<undefined> {
    if (!Number.isInteger(length) || length < 0) throw new RangeError('length must be a non-negative integer')
    if (length < this.#blocks.length) this.#blocks.length = length
    return undefined
  }

  async close (): Promise<void> {}
}

/**
 * Every block a store holds, as an export that `verifyLog(bytes, feedKey)` checks: an
 * archive or a replica is verified with the feed key alone, without a running peer.
 * A record that is not a block message is left out (verifyLog then reports the gap).
 */
export async function exportStore (store: BlockStore, feedKey: Uint8Array): Promise<Uint8Array> {
  const blocks: RawBlock[] = []
  for (let i = 0; i < store.length; i++) {
    const block = await storedBlock(store, i)
    if (block !== undefined) blocks.push(block)
  }
  return encodeExport(feedKey, blocks)
}

/** Block `index` of a store, decoded from its BLOCK message (not verified); undefined if absent or not a block. */
export async function storedBlock (store: BlockStore, index: number): Promise<RawBlock | undefined> {
  const bytes = await store.get(index)
  const decoded = bytes === undefined ? undefined : decodeMessage(bytes)
  return decoded?.ok === true && decoded.message.type === MessageType.BLOCK ? decoded.message.block : undefined
}
