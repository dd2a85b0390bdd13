/**
 * Decides, before any signature check, whether an arriving block is a copy of one already
 * verified. The key is (block index, signature bytes):
 * - a forged copy with another signature has another key, so it is never taken for the real
 *   block, and the real block is never dropped because a forgery arrived first;
 * - a key is remembered only once its block VERIFIED, so a forgery that copies the real
 *   signature but alters the entries cannot shadow the real block either;
 * - while one copy of a key is being verified, further copies wait for that result instead
 *   of verifying again (m trees deliver m copies at about the same time).
 * Memory is bounded: the keys of the last `window` block indices (LRU).
 */
import { LRUCache } from 'lru-cache'
import { assertBytes, assertInteger, equalBytes } from './bytes.js'
import { DEFAULT_DEDUP_WINDOW, MAX_SAFE_U64, SIGNATURE_BYTES } from './constants.js'
import type { BlockIndex } from './types.js'

export interface DedupOptions {
  /** Block indices remembered (each with its verified signatures). @default 8192 */
  window?: number
}

/** What {@link BlockDedup.admit} made of one arriving copy. */
export type AdmitResult =
  /** This copy verified and is the first with its key: process and forward it. */
  | 'accepted'
  /** A copy with this key already verified: drop this one, verify nothing. */
  | 'duplicate'
  /** This copy failed verification. */
  | 'rejected'

export interface DedupStats {
  accepted: number
  duplicates: number
  rejected: number
}

interface InFlight {
  signature: Uint8Array
  done: Promise<boolean>
}

export class BlockDedup {
  readonly stats: DedupStats = { accepted: 0, duplicates: 0, rejected: 0 }
  readonly #seen: LRUCache<BlockIndex, Uint8Array[]>
  readonly #inFlight = new Map<BlockIndex, InFlight[]>()

  constructor (options: DedupOptions = {}) {
    const window = options.window ?? DEFAULT_DEDUP_WINDOW
    assertInteger(window, 'window', 1, 1 << 24)
    this.#seen = new LRUCache<BlockIndex, Uint8Array[]>({ max: window })
  }

  /** True when a verified block with this index and signature is remembered. */
  has (index: BlockIndex, signature: Uint8Array): boolean {
    checkKey(index, signature)
    const sigs = this.#seen.peek(index)
    if (sigs === undefined) return false
    for (const s of sigs) if (equalBytes(s, signature)) return true
    return false
  }

  /** Remembers a verified block's key (admit does this itself). Copies the 64 bytes. */
  add (index: BlockIndex, signature: Uint8Array): void {
    if (this.has(index, signature)) return
    const copy = signature.slice()
    const sigs = this.#seen.get(index)
    if (sigs === undefined) this.#seen.set(index, [copy])
    else sigs.push(copy) // a second signature for one index: a fork, or a non-deterministic signer
  }

  /** Indices remembered now (at most `window`). */
  get size (): number {
    return this.#seen.size
  }

  /**
   * Classifies one arriving copy and runs `verify` only when it must: never for a copy whose
   * key already verified, and not while another copy of the key is being verified (this one
   * waits for that result; if that copy fails, this one is verified in turn).
   * A `verify` that throws counts as failed.
   *
   * @example
   * let checked
   * const r = await dedup.admit(index, signature, async () => (checked = await verifyBlock(raw, key, ed)).ok)
   * if (r === 'accepted') feedLog.add(checked.block)
   */
  async admit (index: BlockIndex, signature: Uint8Array, verify: () => Promise<boolean>): Promise<AdmitResult> {
    checkKey(index, signature)
    if (typeof verify !== 'function') throw new TypeError('verify must be a function')
    for (;;) {
      if (this.has(index, signature)) {
        this.stats.duplicates++
        return 'duplicate'
      }
      const pending = this.#findInFlight(index, signature)
      if (pending === undefined) break
      await pending.done
    }
    const entry: InFlight = { signature: signature.slice(), done: runVerify(verify) }
    const list = this.#inFlight.get(index)
    if (list === undefined) this.#inFlight.set(index, [entry])
    else list.push(entry)
    const ok = await entry.done
    this.#removeInFlight(index, entry)
    return this.#settle(index, signature, ok)
  }

  /**
   * {@link admit} for a synchronous `verify`, or `undefined` when a copy of this key is being
   * verified asynchronously right now (then call `admit`, which waits for that result). With
   * nothing in flight, the synchronous check cannot interleave with another copy's.
   */
  admitSync (index: BlockIndex, signature: Uint8Array, verify: () => boolean): AdmitResult | undefined {
    checkKey(index, signature)
    if (this.has(index, signature)) {
      this.stats.duplicates++
      return 'duplicate'
    }
    if (this.#findInFlight(index, signature) !== undefined) return undefined
    let ok: boolean
    try {
      ok = verify() === true
    } catch {
      ok = false
    }
    return this.#settle(index, signature, ok)
  }

  /** Counts a verification's verdict and remembers the key of a block that passed. */
  #settle (index: BlockIndex, signature: Uint8Array, ok: boolean): AdmitResult {
    if (!ok) {
      this.stats.rejected++
      return 'rejected'
    }
    this.add(index, signature)
    this.stats.accepted++
    return 'accepted'
  }

  #findInFlight (index: BlockIndex, signature: Uint8Array): InFlight | undefined {
    const list = this.#inFlight.get(index)
    if (list === undefined) return undefined
    for (const e of list) if (equalBytes(e.signature, signature)) return e
    return undefined
  }

  #removeInFlight (index: BlockIndex, entry: InFlight): void {
    const list = this.#inFlight.get(index)
    if (list === undefined) return
    const at = list.indexOf(entry)
    if (at >= 0) list.splice(at, 1)
    if (list.length === 0) this.#inFlight.delete(index)
  }
}

async function runVerify (verify: () => Promise<boolean>): Promise<boolean> {
  try {
    return (await verify()) === true
  } catch {
    return false
  }
}

function checkKey (index: unknown, signature: unknown): void {
  assertInteger(index, 'index', 0, MAX_SAFE_U64)
  assertBytes(signature, 'signature', SIGNATURE_BYTES)
}
