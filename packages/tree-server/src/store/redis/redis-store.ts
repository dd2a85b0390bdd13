import { createHash, randomBytes } from 'node:crypto'
import { createClient } from '@redis/client'
import type { PeerId, TreeId } from '../../protocol.js'
import type { MemberState, TreeState } from '../../tree-state.js'
import type { HeldMember, TreeStore, TxFn, TxResult } from '../store.js'
import { diffWhole, LazyMembers, membersFrom } from './lazy-members.js'
import type { Fetched, MemberDiff } from './lazy-members.js'
import { COMMIT_SCRIPT, READ_SCRIPT } from './scripts.js'

/** What the store needs of a node-redis 4 client (`createClient` of `@redis/client`, RESP2). */
export interface RedisCommandClient {
  readonly isReady: boolean
  sendCommand: (args: string[]) => Promise<unknown>
}

export interface RedisStoreOptions {
  /** Put before every key, so that several deployments (or tests) share one Redis. @default 'pt:' */
  prefix?: string
  /** A store call that has not answered within this many milliseconds rejects. @default 500 */
  timeoutMs?: number
  /** Runs of a transaction that lost the race for a tree before it gives up. @default 20 */
  maxAttempts?: number
  /**
   * Members (all trees together) of the trees' last committed views this process keeps (the
   * members it fetched or wrote), so that its next transaction on a tree fetches only the
   * version to check while no other process has committed meanwhile; least recently used
   * trees go first. 0 keeps none. @default 100000 (some 30 MB of JSON)
   */
  cacheMembers?: number
}

export interface RedisConnectOptions extends RedisStoreOptions {
  /** Milliseconds between attempts to reach Redis again once it is lost. @default 250 */
  reconnectMs?: number
}

/** Counters for benchmarks and tests: what the store fetched and wrote. */
export interface RedisStoreStats {
  /** Read round trips (one per fetch of a tree's head or missing members). */
  reads: number
  /** Members fetched, a whole-tree fetch counting every member. */
  membersFetched: number
  /** Fetches of a whole tree (`get`, a body that enumerates the members, a partial view that threw). */
  wholeFetches: number
  /** Transactions that started from this process's cached view of the tree. */
  cacheHits: number
  /** Commits that wrote. */
  commits: number
  /** Commits refused because the tree changed since it was read (the transaction ran again). */
  conflicts: number
  /** Members written and deleted by commits. */
  membersWritten: number
  membersDeleted: number
  /** Bytes of the commit script's keys and arguments. */
  commitBytes: number
}

// A run may fetch members this many times before the store fetches the whole tree instead.
const MAX_PARTIAL_ROUNDS = 200

/** The tree as one version of it, what a run is given. */
interface Snapshot {
  version: string
  /** Every field but the members, as JSON. */
  head: string
  fetched: Fetched
  complete: boolean
}

class VersionMoved extends Error {}

/** One store call; `expired` once it has rejected for taking too long. */
interface Call {
  expired: boolean
}

/**
 * A `TreeStore` on one Redis (not Redis Cluster: the tree count and the holder index are
 * keys shared by every tree). A tree's members are stored one per hash field, and a
 * transaction loads only the members its body touches: the store runs the body on the
 * members fetched so far, fetches the ones it missed in one round trip, and runs it again
 * until a run misses nothing. A Lua script then checks that the tree's version is still the
 * one read and writes exactly the members that changed; if another process committed
 * meanwhile, the transaction runs again from nothing (at most `maxAttempts` times).
 *
 * Redis being down or slow is an answer, never a wait: the client queues nothing while
 * disconnected and every call rejects after `timeoutMs` at most (the server reports
 * STORE_UNAVAILABLE). A commit that timed out may still have landed.
 *
 * Either `RedisStore.connect(url)` creates (and `close()` ends) its own client, or
 * `new RedisStore(client)` uses a connected client the caller owns and closes; that client
 * should be created with `disableOfflineQueue: true` and an 'error' listener.
 */
export class RedisStore implements TreeStore {
  readonly #client: RedisCommandClient
  readonly #owned: { close: () => Promise<void> } | null
  readonly #prefix: string
  readonly #timeoutMs: number
  readonly #maxAttempts: number
  readonly #cacheMembers: number
  // Per tree, the version this process last committed or read and the members it knows at it (least recently used first).
  readonly #cache = new Map<TreeId, { version: string, fetched: Fetched }>()
  // Per tree, the end of this process's chain of transactions on it.
  readonly #queues = new Map<TreeId, Promise<void>>()
  /** When (performance.now) a call last went unanswered for `timeoutMs`. */
  #lastTimeout = -Infinity
  readonly #stats: RedisStoreStats = { reads: 0, membersFetched: 0, wholeFetches: 0, cacheHits: 0, commits: 0, conflicts: 0, membersWritten: 0, membersDeleted: 0, commitBytes: 0 }

  /** Connect to `url` with a client of the store's own, which keeps trying to reconnect and queues nothing while it cannot. */
  static async connect (url: string, opts: RedisConnectOptions = {}): Promise<RedisStore> {
    const reconnectMs = opts.reconnectMs ?? 250
    const client = createClient({
      url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: () => reconnectMs, connectTimeout: opts.timeoutMs ?? 500 }
    })
    // Lost connections surface as rejected calls; without a listener they would crash the process.
    client.on('error', () => {})
    await client.connect()
    return new RedisStore(client, opts, {
      close: async () => { if (client.isReady) await client.quit(); else await client.disconnect() }
    })
  }

  constructor (client: RedisCommandClient, opts: RedisStoreOptions = {}, owned: { close: () => Promise<void> } | null = null) {
    this.#client = client
    this.#owned = owned
    this.#prefix = opts.prefix ?? 'pt:'
    this.#timeoutMs = opts.timeoutMs ?? 500
    this.#maxAttempts = opts.maxAttempts ?? 20
    this.#cacheMembers = opts.cacheMembers ?? 100_000
  }

  /** The client (for `ready` and `error` events), as given or created. */
  get client (): RedisCommandClient {
    return this.#client
  }

  /** A copy of the counters. */
  get stats (): RedisStoreStats {
    return { ...this.#stats }
  }

  /** Ends the client if the store created it; a client the caller passed in stays open. */
  async close (): Promise<void> {
    await this.#owned?.close()
  }

  async get (treeID: TreeId): Promise<Readonly<TreeState> | undefined> {
    return await this.#bounded(async () => {
      const snap = await this.#fetchAll(treeID)
      return snap === undefined ? undefined : assemble(snap.head, membersFrom(snap.fetched))
    })
  }

  async transact<R> (treeID: TreeId, fn: TxFn<R>): Promise<R> {
    return await this.#exclusive(treeID, async () => await this.#bounded(async (call) => {
      for (let attempt = 1; ; attempt++) {
        // The caller has been told it failed: stop, and let this process's next transaction on the tree go.
        if (call.expired) throw new Error('RedisStore: timed out')
        try {
          const { snap, decided, lazy } = await this.#settle(treeID, fn, true)
          if (decided.op === 'none') {
            if (snap !== undefined) this.#remember(treeID, snap.version, snap.fetched)
            return decided.result
          }
          // The caller has been told it failed: it must not land now.
          if (call.expired) throw new Error('RedisStore: timed out')
          if (await this.#commit(treeID, snap, decided, lazy)) return decided.result
        } catch (err) {
          this.#cache.delete(treeID)
          if (!(err instanceof VersionMoved)) throw err
        }
        this.#cache.delete(treeID)
        this.#stats.conflicts++
        if (attempt >= this.#maxAttempts) throw new Error(`RedisStore: tree ${treeID} changed under ${attempt} attempts in a row`)
        // The process that won may have more transactions on the tree lined up, each faster than
        // this one's next (its view is cached, ours is gone): a growing random pause lets it drain.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(64, 2 ** attempt)))
      }
    }))
  }

  /**
   * Run `work` after this process's earlier transactions on the tree: they would only make
   * each other run again. The wait itself is not bounded by `timeoutMs` (a burst of joins on
   * one tree queues here; each runs within the bound once its turn comes), but when Redis
   * stopped answering while a call waited, the call rejects at once instead of waiting its
   * own timeout in turn: a queue behind a hung Redis is answered within one timeout.
   */
  async #exclusive<T> (treeID: TreeId, work: () => Promise<T>): Promise<T> {
    const before = this.#queues.get(treeID)
    let release = (): void => {}
    const mine = new Promise<void>((resolve) => { release = resolve })
    const tail = before === undefined ? mine : before.then(async () => await mine)
    this.#queues.set(treeID, tail)
    const since = performance.now()
    try {
      if (before !== undefined) await before
      if (this.#lastTimeout >= since) throw new Error('RedisStore: Redis stopped answering while this call waited')
      return await work()
    } finally {
      release()
      if (this.#queues.get(treeID) === tail) this.#queues.delete(treeID)
    }
  }

  async read<R> (treeID: TreeId, fn: (state: Readonly<TreeState> | undefined) => R): Promise<R> {
    return await this.#bounded(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return (await this.#settle(treeID, (state) => ({ op: 'none', result: fn(state) }), false)).decided.result
        } catch (err) {
          if (!(err instanceof VersionMoved) || attempt >= this.#maxAttempts) throw err
        }
      }
    })
  }

  async heldBy (holder: string): Promise<HeldMember[]> {
    return await this.#bounded(async () => {
      const entries = await this.#client.sendCommand(['SMEMBERS', `${this.#prefix}held:${holder}`]) as string[]
      return entries.map((e) => {
        // Peer IDs never hold a space; a tree ID given by a caller might.
        const at = e.lastIndexOf(' ')
        return { treeID: e.slice(0, at), peerID: e.slice(at + 1) }
      })
    })
  }

  async size (): Promise<number> {
    return await this.#bounded(async () => Number(await this.#client.sendCommand(['SCARD', `${this.#prefix}trees`])))
  }

  /**
   * Run `fn` on lazily loaded drafts until a run misses no member. Rejects with VersionMoved
   * if the tree changed between two fetches; a throw from a complete run is the body's own.
   */
  async #settle<R> (treeID: TreeId, fn: TxFn<R>, cached: boolean): Promise<{ snap: Snapshot | undefined, decided: TxResult<R>, lazy: LazyMembers | undefined }> {
    let snap = await this.#fetchHead(treeID, cached)
    for (let round = 0; ; round++) {
      if (snap === undefined) return { snap, decided: fn(undefined), lazy: undefined }
      const lazy = snap.complete ? undefined : new LazyMembers(snap.fetched)
      const members = lazy?.view ?? membersFrom(snap.fetched)
      const state = assemble(snap.head, members)
      let decided: TxResult<R> | undefined
      let thrown: { err: unknown } | undefined
      try {
        decided = fn(state)
      } catch (err) {
        thrown = { err }
      }
      const complete = lazy === undefined || lazy.complete
      if (complete && thrown === undefined && decided !== undefined) {
        // A body that returned other members than its draft's replaces the tree: that needs the whole tree to diff against.
        if (decided.op !== 'put' || decided.state.members === members || snap.complete) return { snap, decided, lazy }
      } else if (complete && snap.complete && thrown !== undefined) {
        throw thrown.err
      }
      // It missed members or enumerated them: fetch those, or the whole tree, and run it again.
      // A complete run that threw on a partial view (perhaps the view's doing: a structuredClone
      // of the Proxy, say) or replaced the members runs again on the whole tree.
      const missing = lazy !== undefined && !lazy.complete && !lazy.wantsAll ? lazy.missing : undefined
      snap = missing === undefined || round >= MAX_PARTIAL_ROUNDS
        ? await this.#fetchAll(treeID, snap.version)
        : await this.#fetchMore(treeID, snap, missing)
    }
  }

  /**
   * The tree's version, head and source member (every transition starts from the source),
   * with `cached` the members this process knows at that version. Only transactions use the
   * cache: they run one at a time per tree in this process, and may add to its members.
   */
  async #fetchHead (treeID: TreeId, cached: boolean): Promise<Snapshot | undefined> {
    const reply = await this.#eval(READ_SCRIPT, [this.#key(treeID, 't'), this.#key(treeID, 'm')], ['1'])
    this.#stats.reads++
    const [version, head] = reply as [string | null, string, string | null]
    if (version === null) return undefined
    const known = cached ? this.#cache.get(treeID) : undefined
    if (known?.version === version) {
      this.#stats.cacheHits++
      return { version, head, fetched: known.fetched, complete: false }
    }
    const fetched: Fetched = new Map()
    const source = (JSON.parse(head) as { source: PeerId }).source
    fetched.set(source, (reply as Array<string | null>)[2] ?? null)
    this.#stats.membersFetched++
    return { version, head, fetched, complete: false }
  }

  async #fetchMore (treeID: TreeId, snap: Snapshot, missing: Set<PeerId>): Promise<Snapshot> {
    const ids = [...missing]
    const reply = await this.#eval(READ_SCRIPT, [this.#key(treeID, 't'), this.#key(treeID, 'm')], ['0', ...ids]) as Array<string | null>
    this.#stats.reads++
    this.#stats.membersFetched += ids.length
    if (reply[0] !== snap.version) throw new VersionMoved()
    // Added in place: the members are of the same version (also where the map is the cache's).
    ids.forEach((id, i) => snap.fetched.set(id, reply[i + 2] ?? null))
    return { version: snap.version, head: reply[1] as string, fetched: snap.fetched, complete: false }
  }

  /** Every member at one version; with `version`, rejects with VersionMoved if the tree is at another. */
  async #fetchAll (treeID: TreeId, version?: string): Promise<Snapshot | undefined> {
    const reply = await this.#eval(READ_SCRIPT, [this.#key(treeID, 't'), this.#key(treeID, 'm')], ['all']) as [string | null, string, string[]]
    this.#stats.reads++
    if (version !== undefined && reply[0] !== version) throw new VersionMoved()
    if (reply[0] === null) return undefined
    const fetched: Fetched = new Map()
    const flat = reply[2]
    for (let i = 0; i < flat.length; i += 2) fetched.set(flat[i] as string, flat[i + 1] as string)
    this.#stats.membersFetched += fetched.size
    this.#stats.wholeFetches++
    return { version: reply[0], head: reply[1], fetched, complete: true }
  }

  /** Write what `decided` changed if the tree is still at the version read; false if it moved. */
  async #commit<R> (treeID: TreeId, snap: Snapshot | undefined, decided: TxResult<R>, lazy: LazyMembers | undefined): Promise<boolean> {
    const keys = [this.#key(treeID, 't'), this.#key(treeID, 'm'), `${this.#prefix}trees`]
    const expected = snap?.version ?? ''
    if (decided.op === 'delete') {
      this.#cache.delete(treeID)
      if (snap === undefined) return true
      return await this.#runCommit(keys, [treeID, expected, 'delete', this.#prefix])
    }
    if (decided.op !== 'put') return true
    const { members, ...rest } = decided.state
    // The run's own lazy view knows what it touched; other members are diffed against the whole tree (`#settle` fetched it).
    const diff: MemberDiff = lazy !== undefined && members === lazy.view ? lazy.diff() : diffWhole(members, snap?.fetched ?? new Map())
    const holderIndex = new Map<string, number>()
    const indexOf = (holder: string | null): string => {
      if (holder === null) return '0'
      let i = holderIndex.get(holder)
      if (i === undefined) {
        keys.push(`${this.#prefix}held:${holder}`)
        i = keys.length
        holderIndex.set(holder, i)
      }
      return String(i)
    }
    const version = newVersion()
    const args = [treeID, expected, 'put', this.#prefix, version, JSON.stringify(rest), rest.source, String(diff.puts.length)]
    for (const p of diff.puts) args.push(p.id, p.json, indexOf(p.oldHolder), indexOf(p.newHolder))
    for (const d of diff.dels) args.push(d.id, indexOf(d.oldHolder))
    const ok = await this.#runCommit(keys, args)
    if (ok) {
      this.#stats.membersWritten += diff.puts.length
      this.#stats.membersDeleted += diff.dels.length
      // The members as they are now at the new version: what was fetched, with the changes.
      const fetched = snap?.fetched ?? new Map()
      for (const p of diff.puts) fetched.set(p.id, p.json)
      for (const d of diff.dels) fetched.set(d.id, null)
      this.#remember(treeID, version, fetched)
    }
    return ok
  }

  #remember (treeID: TreeId, version: string, fetched: Fetched): void {
    this.#cache.delete(treeID)
    if (fetched.size > this.#cacheMembers) return
    this.#cache.set(treeID, { version, fetched })
    let total = 0
    for (const entry of this.#cache.values()) total += entry.fetched.size
    for (const [id, entry] of this.#cache) {
      if (total <= this.#cacheMembers) break
      this.#cache.delete(id)
      total -= entry.fetched.size
    }
  }

  async #runCommit (keys: string[], args: string[]): Promise<boolean> {
    let bytes = 0
    for (const s of keys) bytes += Buffer.byteLength(s)
    for (const s of args) bytes += Buffer.byteLength(s)
    this.#stats.commitBytes += bytes
    const ok = await this.#eval(COMMIT_SCRIPT, keys, args) === 1
    if (ok) this.#stats.commits++
    return ok
  }

  /** EVALSHA, loading the script on a NOSCRIPT reply (a restarted Redis has forgotten it). */
  async #eval (script: string, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args]
    try {
      return await this.#client.sendCommand(['EVALSHA', sha1(script), ...tail])
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err
      return await this.#client.sendCommand(['EVAL', script, ...tail])
    }
  }

  #key (treeID: TreeId, part: 't' | 'm'): string {
    return `${this.#prefix}{${treeID}}:${part}`
  }

  /** Run `work`, rejecting at once while Redis is unreachable and after `timeoutMs` at most. */
  async #bounded<T> (work: (call: Call) => Promise<T>): Promise<T> {
    if (!this.#client.isReady) throw new Error('RedisStore: Redis is not reachable')
    const call: Call = { expired: false }
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        call.expired = true
        this.#lastTimeout = performance.now()
        reject(new Error(`RedisStore: no answer within ${this.#timeoutMs} ms`))
      }, this.#timeoutMs)
    })
    const running = work(call)
    // Its own rejection after the timeout is nobody's news.
    running.catch(() => {})
    try {
      return await Promise.race([running, timeout])
    } finally {
      clearTimeout(timer)
    }
  }
}

function assemble (head: string, members: Record<PeerId, MemberState>): TreeState {
  return { ...(JSON.parse(head) as Omit<TreeState, 'members'>), members }
}

/** A fresh version token: a counter restarts when a tree is deleted and made again, a random token does not repeat. */
function newVersion (): string {
  return randomBytes(9).toString('base64url')
}

const shas = new Map<string, string>()
function sha1 (script: string): string {
  let sha = shas.get(script)
  if (sha === undefined) {
    sha = createHash('sha1').update(script).digest('hex')
    shas.set(script, sha)
  }
  return sha
}
