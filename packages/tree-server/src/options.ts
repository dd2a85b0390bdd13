/**
 * Server options, their defaults, and their checks. A wrong option is API misuse, so it
 * throws (TypeError for a wrong type, RangeError for a value out of range) at construction.
 */
import {
  DEFAULT_CHALLENGE_TTL_MS, DEFAULT_K, DEFAULT_LINK_TIMEOUT_MS, DEFAULT_K1, DEFAULT_MAX_K, DEFAULT_MAX_PEERS_PER_TREE,
  DEFAULT_MAX_SIGNAL_BYTES, DEFAULT_MAX_SIGNAL_BYTES_PER_LINK, DEFAULT_MAX_SIGNALS_PER_LINK, DEFAULT_MAX_TREES, DEFAULT_MAX_TREES_PER_SOCKET, DEFAULT_RECONNECT_GRACE_MS,
  DEFAULT_REQUESTS_PER_SECOND, DEFAULT_SIGNALS_PER_SECOND, MAX_TIMER_MS, DEFAULT_HEARTBEAT_MS
} from './constants.js'
import { mintProcessId } from './ids.js'
import type { ProcessPresence } from './presence/presence.js'
import { MemoryStore } from './store/memory-store.js'
import type { ServerMetrics } from './observer.js'
import type { TreeStore } from './store/store.js'

export interface PeerTreeServerOptions {
  /** Most children a member holds. @default 4 */
  k?: number
  /** Most children the source holds, honoured even when smaller than `k`. @default 10 */
  k1?: number
  /** Cap on the `k`/`k1` a client may ask for in `tree:create`. @default 64 */
  maxK?: number
  /** Most members in one tree, the source included. @default 10000 */
  maxPeersPerTree?: number
  /** Most trees the store may hold. @default 10000 */
  maxTrees?: number
  /** Most memberships one socket may hold. @default 16 */
  maxTreesPerSocket?: number
  /** `peer:*` events (`peer:signal`, `peer:connected`, `peer:failed`) per socket per second (bursts of twice that). `Infinity` disables it. @default 200 */
  signalsPerSecond?: number
  /** `tree:*` events per socket per second (bursts of twice that). `Infinity` disables it. @default 20 */
  requestsPerSecond?: number
  /** Largest signal, in bytes of JSON. @default 16384 */
  maxSignalBytes?: number
  /** Most signals one end may send on one link; beyond it the link is given up. @default 500 */
  maxSignalsPerLink?: number
  /** Most bytes of signals (JSON) one end may send on one link; beyond it the link is given up. @default 262144 */
  maxSignalBytesPerLink?: number
  /** How long a membership survives its socket, waiting for `tree:resume`. 0 removes it at once. @default 0 */
  reconnectGraceMs?: number
  /** Lifetime of an owner-proof nonce. @default 30000 */
  challengeTtlMs?: number
  /** A link not confirmed (`peer:connected`) by both its ends within this time is given up: the child is re-placed, the slot freed. @default 30000 */
  linkTimeoutMs?: number
  /**
   * The names this server answers to in owner proofs (`serverIdentityOf` of the URLs clients
   * use, e.g. `['feeds.example.org']`). Empty: the `Host` header of each socket's handshake,
   * which is right behind no proxy but is what the connecting client says. @default []
   */
  serverIdentities?: readonly string[]
  /** Where tree state lives. @default new MemoryStore() */
  store?: TreeStore
  /** Clock in ms for rate limits and nonce expiry; for tests and simulations. @default Date.now */
  now?: () => number
  /** Timing hooks for a metrics system (`peer-tree-server/metrics` has one). @default none */
  metrics?: ServerMetrics
  /**
   * Where the processes sharing `store` count their heartbeats (`RedisPresence` from
   * `peer-tree-server/redis`). With one, this process adopts the members of a process that
   * stopped beating (they wait `reconnectGraceMs` for a resume, then leave). @default none
   */
  presence?: ProcessPresence
  /** How often this process beats and looks for dead ones; dead after 3 beats without a count. @default 1000 */
  heartbeatMs?: number
  /** This process's name in the store (members' `holder`). @default random */
  processID?: string
}

export type ResolvedOptions = Required<Omit<PeerTreeServerOptions, 'metrics' | 'presence'>> & { metrics: ServerMetrics | null, presence: ProcessPresence | null }

function identities (value: unknown): readonly string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new TypeError('opts.serverIdentities must be an array of non-empty strings')
  }
  return value.map((v: string) => v.toLowerCase())
}

function positiveInteger (name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number') throw new TypeError(`opts.${name} must be a number`)
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`opts.${name} must be a positive integer, got ${value}`)
  return value
}

function positiveRate (name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number') throw new TypeError(`opts.${name} must be a number`)
  if (Number.isNaN(value) || value <= 0) throw new RangeError(`opts.${name} must be a positive number, got ${value}`)
  return value
}

function delay (name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number') throw new TypeError(`opts.${name} must be a number`)
  if (!Number.isInteger(value) || value < min || value > MAX_TIMER_MS) {
    throw new RangeError(`opts.${name} must be an integer from ${min} to ${MAX_TIMER_MS} ms, got ${value}`)
  }
  return value
}

function isPresence (value: unknown): value is ProcessPresence {
  if (typeof value !== 'object' || value === null) return false
  const p = value as Record<string, unknown>
  return ['beat', 'list', 'retire', 'fence', 'forget'].every((name) => typeof p[name] === 'function')
}

function isStore (value: unknown): value is TreeStore {
  if (typeof value !== 'object' || value === null) return false
  const s = value as Record<string, unknown>
  return ['get', 'transact', 'read', 'heldBy', 'size'].every((name) => typeof s[name] === 'function')
}

export function resolveOptions (opts: unknown): ResolvedOptions {
  if (opts === undefined || opts === null) opts = {}
  if (typeof opts !== 'object') throw new TypeError('opts must be an object')
  const o = opts as Record<string, unknown>
  if (o['store'] !== undefined && !isStore(o['store'])) throw new TypeError('opts.store must implement get, transact, read, heldBy and size')
  if (o['now'] !== undefined && typeof o['now'] !== 'function') throw new TypeError('opts.now must be a function')
  if (o['metrics'] !== undefined && (typeof o['metrics'] !== 'object' || o['metrics'] === null)) throw new TypeError('opts.metrics must be an object')
  if (o['presence'] !== undefined && !isPresence(o['presence'])) throw new TypeError('opts.presence must implement beat, list, retire, fence and forget')
  if (o['processID'] !== undefined && (typeof o['processID'] !== 'string' || !/^[\w.:-]{1,128}$/.test(o['processID']))) {
    throw new TypeError('opts.processID must be 1 to 128 letters, digits or _ . : -')
  }
  return {
    k: positiveInteger('k', o['k'], DEFAULT_K),
    k1: positiveInteger('k1', o['k1'], DEFAULT_K1),
    maxK: positiveInteger('maxK', o['maxK'], DEFAULT_MAX_K),
    maxPeersPerTree: positiveInteger('maxPeersPerTree', o['maxPeersPerTree'], DEFAULT_MAX_PEERS_PER_TREE),
    maxTrees: positiveInteger('maxTrees', o['maxTrees'], DEFAULT_MAX_TREES),
    maxTreesPerSocket: positiveInteger('maxTreesPerSocket', o['maxTreesPerSocket'], DEFAULT_MAX_TREES_PER_SOCKET),
    signalsPerSecond: positiveRate('signalsPerSecond', o['signalsPerSecond'], DEFAULT_SIGNALS_PER_SECOND),
    requestsPerSecond: positiveRate('requestsPerSecond', o['requestsPerSecond'], DEFAULT_REQUESTS_PER_SECOND),
    maxSignalBytes: positiveInteger('maxSignalBytes', o['maxSignalBytes'], DEFAULT_MAX_SIGNAL_BYTES),
    maxSignalsPerLink: positiveInteger('maxSignalsPerLink', o['maxSignalsPerLink'], DEFAULT_MAX_SIGNALS_PER_LINK),
    maxSignalBytesPerLink: positiveInteger('maxSignalBytesPerLink', o['maxSignalBytesPerLink'], DEFAULT_MAX_SIGNAL_BYTES_PER_LINK),
    reconnectGraceMs: delay('reconnectGraceMs', o['reconnectGraceMs'], DEFAULT_RECONNECT_GRACE_MS, 0),
    challengeTtlMs: delay('challengeTtlMs', o['challengeTtlMs'], DEFAULT_CHALLENGE_TTL_MS, 1),
    linkTimeoutMs: delay('linkTimeoutMs', o['linkTimeoutMs'], DEFAULT_LINK_TIMEOUT_MS, 1),
    serverIdentities: identities(o['serverIdentities']),
    store: (o['store'] as TreeStore | undefined) ?? new MemoryStore(),
    now: (o['now'] as (() => number) | undefined) ?? Date.now,
    metrics: (o['metrics'] as ServerMetrics | undefined) ?? null,
    presence: (o['presence'] as ProcessPresence | undefined) ?? null,
    heartbeatMs: delay('heartbeatMs', o['heartbeatMs'], DEFAULT_HEARTBEAT_MS, 1),
    processID: (o['processID'] as string | undefined) ?? mintProcessId()
  }
}
