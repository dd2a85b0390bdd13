/** Test helpers: deterministic keys and chains of blocks from fixed seeds. */
import * as noble from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import {
  encodeEntry,
  headerHash,
  nobleEd25519,
  signBlock,
  zeroHash,
  type KeyPair,
  type Signer,
  type VerifiedBlock
} from '../src/index.js'
import { sha256Noble } from '../src/crypto/hash.js'

noble.hashes.sha512 ??= sha512

/** A key pair derived from a label: the same label gives the same keys everywhere. */
export function testKeyPair (label: string): KeyPair {
  const secretKey = sha256Noble(new TextEncoder().encode(`peer-tree test key: ${label}`))
  return { secretKey, publicKey: noble.getPublicKey(secretKey) }
}

export interface ChainOptions {
  keyPair?: KeyPair
  signer?: Signer
  /** Entry values per block; block i holds sizes[i] entries (default 1 each). */
  sizes?: number[]
  /** Value of entry `seq`. */
  value?: (seq: number) => unknown
}

/** Signs `n` chained blocks. */
export async function makeChain (n: number, options: ChainOptions = {}): Promise<VerifiedBlock[]> {
  const keyPair = options.keyPair ?? testKeyPair('feed')
  const signer = options.signer ?? nobleEd25519
  const value = options.value ?? ((seq: number) => ({ seq, text: `entry ${seq}` }))
  const blocks: VerifiedBlock[] = []
  let prevHash = zeroHash()
  let seq = 0
  for (let i = 0; i < n; i++) {
    const size = options.sizes?.[i] ?? 1
    const entries = Array.from({ length: size }, (_, k) => encodeEntry(value(seq + k)))
    const block = await signBlock({ feedKey: keyPair.publicKey, index: i, firstSeq: seq, prevHash, entries }, keyPair.secretKey, signer)
    blocks.push(block)
    prevHash = headerHash(block.header)
    seq += size
  }
  return blocks
}

/** A validly signed block built from explicit (possibly wrong) fields: the source misbehaving. */
export function signRaw (
  keyPair: KeyPair,
  fields: { index: number; firstSeq: number; prevHash: Uint8Array; entries: Uint8Array[]; feedKey?: Uint8Array }
): Promise<VerifiedBlock> {
  return signBlock({ feedKey: fields.feedKey ?? keyPair.publicKey, ...fields }, keyPair.secretKey, nobleEd25519)
}

/** A copy of `bytes` with byte `at` XOR-ed with `mask`. */
export function flip (bytes: Uint8Array, at: number, mask = 1): Uint8Array {
  const out = new Uint8Array(bytes)
  out[at] = (out[at] as number) ^ mask
  return out
}

/** A spy-able verifier wrapper that counts calls. */
export function countingVerifier (inner = nobleEd25519): { verify: typeof inner.verify; calls: number } {
  const v = {
    calls: 0,
    verify: (sig: Uint8Array, msg: Uint8Array, key: Uint8Array) => {
      v.calls++
      return inner.verify(sig, msg, key)
    }
  }
  return v
}

/** Shuffles a copy with a seeded PRNG (mulberry32). */
export function shuffled<T> (items: readonly T[], seed: number): T[] {
  const out = items.slice()
  let s = seed >>> 0
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

/** Hostile values every public function must reject (noble's getTypeTests, adapted). */
export const HOSTILE_VALUES: readonly [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['number', 1],
  ['NaN', Number.NaN],
  ['string', 'abcd'],
  ['hex string', '00'.repeat(32)],
  ['plain array', Array(32).fill(0)],
  ['object', {}],
  ['ArrayBuffer', new ArrayBuffer(32)],
  ['Uint16Array', new Uint16Array(16)],
  ['DataView', new DataView(new ArrayBuffer(32))],
  ['bigint', 1n],
  ['function', () => 0],
  ['symbol', Symbol('x')]
]
