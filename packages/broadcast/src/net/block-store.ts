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
  close: () => Promise<void>
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

  async close (): Promise<void> {}
}
