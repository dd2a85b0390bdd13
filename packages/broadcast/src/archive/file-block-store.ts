/**
 * A full replica of a feed in one append-only file (Node only): each block as a 4-byte
 * big-endian length and its encoded BLOCK message. A subscriber keeps every block it
 * delivered here, in order; after a restart it verifies them again and continues. A torn
 * last record (a crash mid-write) is cut off when the file is opened.
 */
import { open, type FileHandle } from 'node:fs/promises'
import type { BlockStore } from '../net/block-store.js'

export class FileBlockStore implements BlockStore {
  #file: FileHandle
  /** [offset of the payload, length] per block. */
  #index: Array<[number, number]>
  #end: number
  #writes: Promise<void> = Promise.resolve()
  #pending = new Map<number, Uint8Array>()

  private constructor (file: FileHandle, index: Array<[number, number]>, end: number) {
    this.#file = file
    this.#index = index
    this.#end = end
  }

  static async open (path: string): Promise<FileBlockStore> {
    const file = await open(path, 'a+')
    const { size } = await file.stat()
    const index: Array<[number, number]> = []
    const head = new Uint8Array(4)
    let at = 0
    while (at + 4 <= size) {
      await file.read(head, 0, 4, at)
      const length = new DataView(head.buffer).getUint32(0)
      if (at + 4 + length > size) break
      index.push([at + 4, length])
      at += 4 + length
    }
    if (at < size) await file.truncate(at)
    return new FileBlockStore(file, index, at)
  }

  get length (): number { return this.#index.length }

  append (index: number, bytes: Uint8Array): Promise<void> {
    if (index !== this.#index.length) return Promise.reject(new RangeError(`block ${index} appended at length ${this.#index.length}`))
    const record = new Uint8Array(4 + bytes.length)
    new DataView(record.buffer).setUint32(0, bytes.length)
    record.set(bytes, 4)
    this.#index.push([this.#end + 4, bytes.length])
    this.#end += record.length
    this.#pending.set(index, bytes)
    this.#writes = this.#writes.then(async () => {
      await this.#file.appendFile(record)
      this.#pending.delete(index)
    })
    return this.#writes
  }

  async get (index: number): Promise<Uint8Array | undefined> {
    const at = this.#index[index]
    if (at === undefined) return undefined
    const pending = this.#pending.get(index)
    if (pending !== undefined) return pending
    const out = new Uint8Array(at[1])
    await this.#file.read(out, 0, at[1], at[0])
    return out
  }

  async close (): Promise<void> {
    await this.#writes.catch(() => {})
    await this.#file.close()
  }
}
