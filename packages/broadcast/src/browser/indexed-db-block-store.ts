/**
 * A full replica of a feed in IndexedDB (browsers): the browser's FileBlockStore. A subscriber
 * keeps every block it delivered here, in order; after a reload it verifies them again and
 * goes on from there, fetching only what came after.
 *
 * One database per feed (named after its key by default) with three object stores: `meta`
 * (the feed key the database belongs to), `blocks` (the encoded BLOCK messages by index) and
 * `dropped` (what `truncate` cut off, kept rather than destroyed). Appends are written in
 * batches, one transaction at a time: a burst of blocks costs one transaction, not one each.
 *
 * `indexedDB` is touched only by `open`, so importing this module in Node is harmless.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb'
import { equalBytes } from '../bytes.js'
import { BroadcastError, ErrorCode } from '../errors.js'
import { fromBase64Url } from '../net/base64url.js'
import type { BlockStore } from '../net/block-store.js'
import { toBase64Url } from 'peer-tree-client'

interface ReplicaSchema extends DBSchema {
  meta: { key: string, value: Uint8Array }
  blocks: { key: number, value: Uint8Array }
  /** Keyed by [the truncation's id, block index]. */
  dropped: { key: [number, number], value: Uint8Array }
}

type ReplicaDb = IDBPDatabase<ReplicaSchema>

export interface IndexedDbBlockStoreOptions {
  /** The database's name. @default `peer-tree-replica/<feed key>` */
  name?: string
}

/** Appends written together in one transaction, and the callers waiting for it. */
interface Batch {
  records: Array<[number, Uint8Array]>
  done: Promise<void>
  resolve: () => void
  reject: (err: unknown) => void
}

const FEED_KEY = 'feedKey'

/** The default database name of a feed's replica. */
export function replicaDbName (key: string): string {
  return `peer-tree-replica/${key}`
}

function feedKeyOf (key: string | Uint8Array): { bytes: Uint8Array, text: string } {
  const bytes = typeof key === 'string' ? fromBase64Url(key) : key
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) throw new TypeError('key must be a feed key: 32 bytes, or base64url (43 characters)')
  return { bytes, text: toBase64Url(bytes) }
}

/** Exactly the view's bytes: IndexedDB clones a typed array's whole buffer, not just the view. */
function ownBytes (bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice()
}

function batch (): Batch {
  let resolve!: () => void
  let reject!: (err: unknown) => void
  const done = new Promise<void>((_resolve, _reject) => { resolve = _resolve; reject = _reject })
  // A failed write also fails the store: callers that do not await it lose nothing by it.
  done.catch(() => {})
  return { records: [], done, resolve, reject }
}

export class IndexedDbBlockStore implements BlockStore {
  readonly name: string
  readonly feedKey: Uint8Array
  /** Where `truncate` kept what it cut off (`<database>/dropped/<id>`), oldest first. */
  readonly preserved: string[] = []
  #db: ReplicaDb
  #length: number
  /** Appended, not yet committed: served by `get` meanwhile. */
  #pending = new Map<number, Uint8Array>()
  #next: Batch | undefined
  #writing: Promise<void> | undefined
  #failure: BroadcastError | undefined
  #closed = false
  #transactions = 0

  private constructor (name: string, feedKey: Uint8Array, db: ReplicaDb, length: number) {
    this.name = name
    this.feedKey = feedKey
    this.#db = db
    this.#length = length
  }

  /**
   * Opens (or creates) the replica of feed `key`. Refuses, with `REPLICA_WRONG_FEED`, a
   * database that belongs to another feed; `STORE_FAILED` where there is no IndexedDB or it
   * cannot be opened (a private window that forbids it, a blocked upgrade).
   * @example const replica = await IndexedDbBlockStore.open(key); const sub = await Feed.join(socket, key, { replica })
   */
  static async open (key: string | Uint8Array, opts: IndexedDbBlockStoreOptions = {}): Promise<IndexedDbBlockStore> {
    const feed = feedKeyOf(key)
    const name = opts.name ?? replicaDbName(feed.text)
    if (typeof indexedDB === 'undefined') throw new BroadcastError(ErrorCode.STORE_FAILED, 'there is no IndexedDB in this runtime')
    let db: ReplicaDb
    try {
      db = await openDB<ReplicaSchema>(name, 1, {
        upgrade (db) {
          db.createObjectStore('meta')
          db.createObjectStore('blocks')
          db.createObjectStore('dropped')
        }
      })
    } catch (err) {
      throw new BroadcastError(ErrorCode.STORE_FAILED, `IndexedDB database ${name} does not open`, { cause: err })
    }
    try {
      const tx = db.transaction(['meta', 'blocks'], 'readwrite')
      // A failed or aborted transaction is reported by the request that failed, once.
      tx.done.catch(() => {})
      const held = await tx.objectStore('meta').get(FEED_KEY)
      if (held !== undefined && !equalBytes(held, feed.bytes)) {
        tx.abort()
        throw new BroadcastError(ErrorCode.REPLICA_WRONG_FEED, `IndexedDB database ${name} holds feed ${toBase64Url(held)}, not ${feed.text}`)
      }
      if (held === undefined) await tx.objectStore('meta').put(feed.bytes, FEED_KEY)
      const keys = await tx.objectStore('blocks').getAllKeys()
      await tx.done
      // Keys come sorted; blocks are committed in order, so they run 0, 1, 2, ... with no hole.
      let length = 0
      while (keys[length] === length) length++
      const store = new IndexedDbBlockStore(name, feed.bytes, db, length)
      if (length < keys.length) await store.#cut(length)
      return store
    } catch (err) {
      db.close()
      if (err instanceof BroadcastError) throw err
      throw new BroadcastError(ErrorCode.STORE_FAILED, `IndexedDB database ${name} does not read`, { cause: err })
    }
  }

  /** Deletes the replica of feed `key` (or the database `opts.name`); close it first. */
  static async delete (key: string | Uint8Array, opts: IndexedDbBlockStoreOptions = {}): Promise<void> {
    await deleteDB(opts.name ?? replicaDbName(feedKeyOf(key).text))
  }

  /** Blocks held, counting appends not yet committed. */
  get length (): number { return this.#length }

  /** Write transactions committed since opening: a burst of appends shares one. */
  get transactions (): number { return this.#transactions }

  append (index: number, bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new BroadcastError(ErrorCode.STORE_FAILED, 'this store is closed'))
    if (this.#failure !== undefined) return Promise.reject(this.#failure)
    if (index !== this.#length) return Promise.reject(new RangeError(`block ${index} appended at length ${this.#length}`))
    const own = ownBytes(bytes)
    this.#pending.set(index, own)
    this.#length++
    const next = this.#next ??= batch()
    next.records.push([index, own])
    // Started a microtask later, so appends made in one go share the first transaction too.
    this.#writing ??= Promise.resolve().then(() => this.#drain())
    return next.done
  }

  async get (index: number): Promise<Uint8Array | undefined> {
    if (!Number.isInteger(index) || index < 0 || index >= this.#length) return undefined
    return this.#pending.get(index) ?? await this.#db.get('blocks', index)
  }

  /**
   * Drops blocks `length` and after (a record that does not verify, and what follows it),
   * moving them to the `dropped` object store. Resolves with where they are kept (undefined
   * when nothing was dropped).
   */
  async truncate (length: number): Promise<string | undefined> {
    if (!Number.isInteger(length) || length < 0) throw new RangeError('length must be a non-negative integer')
    if (length >= this.#length) return undefined
    await this.#settled()
    return await this.#cut(length)
  }

  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#settled()
    this.#db.close()
  }

  /** Resolves once no write is running or queued (whether it succeeded or not). */
  async #settled (): Promise<void> {
    while (this.#writing !== undefined) await this.#writing
  }

  /** Commits queued appends, one batch per transaction, until none are left. */
  async #drain (): Promise<void> {
    for (let b = this.#next; b !== undefined; b = this.#next) {
      this.#next = undefined
      try {
        const tx = this.#db.transaction('blocks', 'readwrite')
        const puts = b.records.map(([index, bytes]) => tx.store.put(bytes, index))
        await Promise.all([...puts, tx.done])
        this.#transactions++
        for (const [index] of b.records) this.#pending.delete(index)
        b.resolve()
      } catch (err) {
        // Later appends would leave a hole: the store stops, and says why on every append.
        this.#failure = new BroadcastError(ErrorCode.STORE_FAILED, `a write to IndexedDB database ${this.name} failed`, { cause: err })
        b.reject(this.#failure)
        // Appends queued meanwhile (TypeScript cannot see that an await let them in).
        const queued = this.#next as Batch | undefined
        queued?.reject(this.#failure)
        this.#next = undefined
      }
    }
    this.#writing = undefined
  }

  /** Moves blocks `length` and after to `dropped`, in one transaction. */
  async #cut (length: number): Promise<string> {
    const id = Date.now()
    const tx = this.#db.transaction(['blocks', 'dropped'], 'readwrite')
    tx.done.catch(() => {})
    const blocks = tx.objectStore('blocks')
    const dropped = tx.objectStore('dropped')
    for (let cursor = await blocks.openCursor(IDBKeyRange.lowerBound(length)); cursor !== null; cursor = await cursor.continue()) {
      await dropped.put(cursor.value, [id, cursor.key])
      await cursor.delete()
    }
    await tx.done
    for (const index of [...this.#pending.keys()]) if (index >= length) this.#pending.delete(index)
    this.#length = length
    const where = `${this.name}/dropped/${id}`
    this.preserved.push(where)
    return where
  }
}
