/**
 * A full replica of a feed in one append-only file (Node only): each block as a 4-byte
 * big-endian length and its encoded BLOCK message. A subscriber keeps every block it
 * delivered here, in order; after a restart it verifies them again and continues.
 *
 * What cannot be read is never destroyed: a record whose length runs past the end of the
 * file (a crash mid-write, or a corrupted length) ends the readable part, and the bytes from
 * there on are copied to a side file (`<path>.unread-<offset>`) before the replica is cut
 * back to what it can read, so that appends go on in order. The blocks lost are fetched
 * again from peers.
 */
import { open, writeFile, type FileHandle } from 'node:fs/promises'
import type { BlockStore } from '../net/block-store.js'

export class FileBlockStore implements BlockStore {
  readonly path: string
  /** Side files holding bytes this store could not use (unreadable tails, dropped records), oldest first. */
  readonly preserved: string[] = []
  #file: FileHandle
  /** [offset of the payload, length] per block. */
  #index: Array<[number, number]>
  #end: number
  #writes: Promise<void> = Promise.resolve()
  #pending = new Map<number, Uint8Array>()

  private constructor (path: string, file: FileHandle, index: Array<[number, number]>, end: number) {
    this.path = path
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
    const store = new FileBlockStore(path, file, index, at)
    if (at < size) await store.#cut(at, size)
    return store
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

  /**
   * Drops blocks `length` and after (a record that does not verify, and what follows it),
   * keeping their bytes in a side file. Resolves with that file's path (undefined when
   * nothing was dropped).
   */
  async truncate (length: number): Promise<string | undefined> {
    if (!Number.isInteger(length) || length < 0) throw new RangeError('length must be a non-negative integer')
    if (length >= this.#index.length) return undefined
    await this.#writes
    const from = (this.#index[length] as [number, number])[0] - 4
    const path = await this.#cut(from, this.#end)
    this.#index.length = length
    this.#end = from
    return path
  }

  async close (): Promise<void> {
    await this.#writes.catch(() => {})
    await this.#file.close()
  }

  /** Copies bytes [from, to) to a side file, then cuts the file back to `from`. */
  async #cut (from: number, to: number): Promise<string> {
    const bytes = new Uint8Array(to - from)
    await this.#file.read(bytes, 0, bytes.length, from)
    let side = `${this.path}.unread-${from}`
    try {
      await writeFile(side, bytes, { flag: 'wx' })
    } catch (err) {
      // An earlier run kept bytes from the same offset: keep both, never overwrite.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      side = `${side}-${Date.now()}`
      await writeFile(side, bytes, { flag: 'wx' })
    }
    await this.#file.truncate(from)
    this.preserved.push(side)
    return side
  }
}
