/**
 * Ed25519 (RFC 8032) behind one API, three backends:
 * - `webcrypto`: `crypto.subtle` Ed25519 (Node >= 20, Chromium >= 137, Firefox >= 129, Safari >= 17);
 * - `node`: node:crypto `sign`/`verify` (Node only, fastest per core, synchronous underneath);
 * - `noble`: @noble/ed25519 in pure JS (everywhere, ~10x slower).
 *
 * {@link getEd25519} picks WebCrypto when a feature test passes (a known RFC 8032 vector
 * verifies, a corrupted one does not, and signing reproduces it), noble otherwise.
 * All backends produce identical signatures (Ed25519 is deterministic) and accept the same
 * keys: a 32-byte public key and a 32-byte secret seed.
 *
 * Network input is a value: `verify` resolves `false` for any bad signature or unusable
 * public key. API misuse throws: a non-Uint8Array is a `TypeError`, a wrong size a `RangeError`.
 */
import * as noble from '@noble/ed25519'
import { sha512 } from '@noble/hashes/sha2.js'
import { LRUCache } from 'lru-cache'
import { assertBytes, equalBytes, fromHex, toHex } from '../bytes.js'
import { DEFAULT_KEY_CACHE_SIZE, FEED_KEY_BYTES, SECRET_KEY_BYTES, SIGNATURE_BYTES } from '../constants.js'
import { BroadcastError, ErrorCode } from '../errors.js'
import { getNodeCrypto, nodeCryptoStatus } from './node-crypto.js'

export type Ed25519BackendName = 'webcrypto' | 'node' | 'noble'

/** A feed's key pair: `publicKey` names the feed, `secretKey` is the 32-byte RFC 8032 seed. */
export interface KeyPair {
  publicKey: Uint8Array
  secretKey: Uint8Array
}

/** Anything that signs a message with a 32-byte secret seed (what signBlock needs). */
export interface Signer {
  sign(message: Uint8Array, secretKey: Uint8Array): Promise<Uint8Array>
}

/** Anything that checks a signature (what verifyBlock needs; tests can spy on it). */
export interface Verifier {
  /** Resolves `false` for a bad signature; rejects with TypeError/RangeError for wrong arguments. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>
}

/** One Ed25519 implementation. */
export interface Ed25519 extends Signer, Verifier {
  readonly backendName: Ed25519BackendName
  /**
   * The same check without a promise, where the backend is synchronous underneath (node:crypto):
   * a relay verifies and forwards in one turn of the event loop.
   */
  verifySync?: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean
  generateKeyPair(): Promise<KeyPair>
  /** The 32-byte public key of a 32-byte secret seed. */
  getPublicKey(secretKey: Uint8Array): Promise<Uint8Array>
}

/** DER prefixes that wrap a raw key for import (RFC 8410). */
const SPKI_PREFIX = fromHex('302a300506032b6570032100')
const PKCS8_PREFIX = fromHex('302e020100300506032b657004220420')

function wrap (prefix: Uint8Array, raw: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + raw.length)
  out.set(prefix, 0)
  out.set(raw, prefix.length)
  return out
}

function checkVerifyArgs (signature: unknown, message: unknown, publicKey: unknown): void {
  assertBytes(signature, 'signature', SIGNATURE_BYTES)
  assertBytes(message, 'message')
  assertBytes(publicKey, 'publicKey', FEED_KEY_BYTES)
}

function checkSignArgs (message: unknown, secretKey: unknown): void {
  assertBytes(message, 'message')
  assertBytes(secretKey, 'secretKey', SECRET_KEY_BYTES)
}

/**
 * Caches what a backend derives from a key (an imported CryptoKey, a KeyObject), keyed by
 * the key bytes; the last key is checked first without building a string (a feed has one key).
 */
class KeyCache<V extends {}> {
  readonly #lru: LRUCache<string, V>
  #lastBytes: Uint8Array | undefined
  #lastValue: V | undefined

  constructor (max: number) {
    this.#lru = new LRUCache<string, V>({ max })
  }

  get (bytes: Uint8Array, make: (bytes: Uint8Array) => V): V {
    if (this.#lastBytes !== undefined && this.#lastValue !== undefined && equalBytes(this.#lastBytes, bytes)) {
      return this.#lastValue
    }
    const hex = toHex(bytes)
    let value = this.#lru.get(hex)
    if (value === undefined) {
      value = make(new Uint8Array(bytes))
      this.#lru.set(hex, value)
    }
    this.#lastBytes = new Uint8Array(bytes)
    this.#lastValue = value
    return value
  }
}

// ---------------------------------------------------------------- noble

let nobleReady = false
function ensureNobleSync (): void {
  if (nobleReady) return
  // The synchronous API needs a sha512; @noble/hashes is already a dependency.
  if (noble.hashes.sha512 === undefined) noble.hashes.sha512 = sha512
  nobleReady = true
}

/**
 * @noble/ed25519 in pure JS. Verification uses RFC 8032 rules (`zip215: false`: canonical
 * encodings, no small-order keys), the closest to what WebCrypto and OpenSSL accept.
 */
export const nobleEd25519: Ed25519 = {
  backendName: 'noble',
  async generateKeyPair () {
    ensureNobleSync()
    const { secretKey, publicKey } = noble.keygen()
    return { publicKey, secretKey }
  },
  async getPublicKey (secretKey) {
    assertBytes(secretKey, 'secretKey', SECRET_KEY_BYTES)
    ensureNobleSync()
    return noble.getPublicKey(secretKey)
  },
  async sign (message, secretKey) {
    checkSignArgs(message, secretKey)
    ensureNobleSync()
    return noble.sign(message, secretKey)
  },
  async verify (signature, message, publicKey) {
    checkVerifyArgs(signature, message, publicKey)
    ensureNobleSync()
    try {
      return noble.verify(signature, message, publicKey, { zip215: false })
    } catch {
      return false
    }
  }
}

// ---------------------------------------------------------------- WebCrypto

const ED25519 = { name: 'Ed25519' } as const

/** WebCrypto's typings want ArrayBuffer-backed views; ours may be Node Buffers over pooled memory. */
function src (bytes: Uint8Array): BufferSource {
  return bytes as Uint8Array<ArrayBuffer>
}

function base64UrlToBytes (text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/**
 * Ed25519 over WebCrypto. Imported public keys are cached per key (a feed has one), so a
 * verify is one `subtle.verify` call. Throws BACKEND_UNAVAILABLE without `crypto.subtle`;
 * whether the runtime supports Ed25519 is checked by {@link webCryptoSupportsEd25519}.
 */
export function createWebCryptoEd25519 (
  subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle,
  options: { keyCacheSize?: number } = {}
): Ed25519 {
  if (subtle === undefined) throw new BroadcastError(ErrorCode.BACKEND_UNAVAILABLE, 'crypto.subtle is not available')
  const s = subtle
  const publicKeys = new KeyCache<Promise<CryptoKey | null>>(options.keyCacheSize ?? DEFAULT_KEY_CACHE_SIZE)
  const secretKeys = new KeyCache<Promise<CryptoKey>>(options.keyCacheSize ?? DEFAULT_KEY_CACHE_SIZE)

  const importPublic = (pub: Uint8Array): Promise<CryptoKey | null> =>
    // An unusable key (not a curve point) makes every signature by it invalid: cache `null`.
    s.importKey('raw', src(pub), ED25519, false, ['verify']).then(
      (key) => key,
      () => null
    )
  const importSecret = (seed: Uint8Array): Promise<CryptoKey> =>
    s.importKey('pkcs8', src(wrap(PKCS8_PREFIX, seed)), ED25519, false, ['sign'])

  return {
    backendName: 'webcrypto',
    async generateKeyPair () {
      const pair = (await s.generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair
      const pkcs8 = new Uint8Array(await s.exportKey('pkcs8', pair.privateKey))
      const publicKey = new Uint8Array(await s.exportKey('raw', pair.publicKey))
      return { publicKey, secretKey: pkcs8.slice(pkcs8.length - SECRET_KEY_BYTES) }
    },
    async getPublicKey (secretKey) {
      assertBytes(secretKey, 'secretKey', SECRET_KEY_BYTES)
      const key = await s.importKey('pkcs8', src(wrap(PKCS8_PREFIX, secretKey)), ED25519, true, ['sign'])
      const jwk = await s.exportKey('jwk', key)
      if (typeof jwk.x !== 'string') throw new BroadcastError(ErrorCode.BACKEND_UNAVAILABLE, 'WebCrypto gave no public key')
      return base64UrlToBytes(jwk.x)
    },
    async sign (message, secretKey) {
      checkSignArgs(message, secretKey)
      const key = await secretKeys.get(secretKey, importSecret)
      return new Uint8Array(await s.sign(ED25519, key, src(message)))
    },
    async verify (signature, message, publicKey) {
      checkVerifyArgs(signature, message, publicKey)
      const key = await publicKeys.get(publicKey, importPublic)
      if (key === null) return false
      try {
        return await s.verify(ED25519, key, src(signature), src(message))
      } catch {
        return false
      }
    }
  }
}

/** RFC 8032 section 7.1, test 1 (empty message). */
const VECTOR = {
  secretKey: fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
  publicKey: fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
  signature: fromHex(
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'
  ),
  message: new Uint8Array(0)
}

/**
 * True when `subtle` signs and verifies Ed25519 correctly: the RFC 8032 vector verifies,
 * a corrupted copy does not, and signing the vector's message reproduces its signature.
 */
export async function webCryptoSupportsEd25519 (subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Promise<boolean> {
  if (subtle === undefined) return false
  try {
    const backend = createWebCryptoEd25519(subtle, { keyCacheSize: 1 })
    const bad = new Uint8Array(VECTOR.signature)
    bad[0] = (bad[0] as number) ^ 1
    const [good, rejected, signature] = await Promise.all([
      backend.verify(VECTOR.signature, VECTOR.message, VECTOR.publicKey),
      backend.verify(bad, VECTOR.message, VECTOR.publicKey),
      backend.sign(VECTOR.message, VECTOR.secretKey)
    ])
    return good && !rejected && equalBytes(signature, VECTOR.signature)
  } catch {
    return false
  }
}

// ---------------------------------------------------------------- node:crypto

/**
 * Ed25519 over node:crypto (`crypto.sign(null, ...)` / `crypto.verify(null, ...)` with
 * cached KeyObjects). Synchronous underneath: the fastest per core in Node.
 * Throws BACKEND_UNAVAILABLE outside Node.
 */
export function createNodeEd25519 (options: { keyCacheSize?: number } = {}): Ed25519 {
  const nc = getNodeCrypto()
  if (nc === undefined) throw new BroadcastError(ErrorCode.BACKEND_UNAVAILABLE, `node:crypto is not available: ${nodeCryptoStatus().reason ?? 'unknown'}`)
  type KeyObject = ReturnType<typeof nc.createPublicKey>
  const publicKeys = new KeyCache<{ key: KeyObject | null }>(options.keyCacheSize ?? DEFAULT_KEY_CACHE_SIZE)
  const secretKeys = new KeyCache<{ key: KeyObject }>(options.keyCacheSize ?? DEFAULT_KEY_CACHE_SIZE)
  const importPublic = (pub: Uint8Array): { key: KeyObject | null } => {
    try {
      return { key: nc.createPublicKey({ key: Buffer.from(wrap(SPKI_PREFIX, pub)), format: 'der', type: 'spki' }) }
    } catch {
      return { key: null }
    }
  }
  const importSecret = (seed: Uint8Array): { key: KeyObject } => ({
    key: nc.createPrivateKey({ key: Buffer.from(wrap(PKCS8_PREFIX, seed)), format: 'der', type: 'pkcs8' })
  })
  const verifySync = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean => {
    checkVerifyArgs(signature, message, publicKey)
    const { key } = publicKeys.get(publicKey, importPublic)
    if (key === null) return false
    try {
      return nc.verify(null, message, key, signature)
    } catch {
      return false
    }
  }
  return {
    backendName: 'node',
    async generateKeyPair () {
      const { publicKey, privateKey } = nc.generateKeyPairSync('ed25519')
      const spki = publicKey.export({ format: 'der', type: 'spki' })
      const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' })
      return {
        publicKey: new Uint8Array(spki.subarray(spki.length - FEED_KEY_BYTES)),
        secretKey: new Uint8Array(pkcs8.subarray(pkcs8.length - SECRET_KEY_BYTES))
      }
    },
    async getPublicKey (secretKey) {
      assertBytes(secretKey, 'secretKey', SECRET_KEY_BYTES)
      const spki = nc.createPublicKey(importSecret(secretKey).key).export({ format: 'der', type: 'spki' })
      return new Uint8Array(spki.subarray(spki.length - FEED_KEY_BYTES))
    },
    async sign (message, secretKey) {
      checkSignArgs(message, secretKey)
      const { key } = secretKeys.get(secretKey, importSecret)
      return new Uint8Array(nc.sign(null, message, key))
    },
    async verify (signature, message, publicKey) {
      return verifySync(signature, message, publicKey)
    },
    verifySync
  }
}

/** True when node:crypto is available (Node, Deno, Bun). */
export function hasNodeEd25519 (): boolean {
  return getNodeCrypto() !== undefined
}

// ---------------------------------------------------------------- automatic choice

let chosen: Promise<Ed25519> | undefined

/**
 * The backend for this runtime, chosen once: WebCrypto when {@link webCryptoSupportsEd25519}
 * passes, noble otherwise. In Node, pass {@link createNodeEd25519}() explicitly for the best
 * speed per core.
 *
 * @example const ed = await getEd25519(); const ok = await ed.verify(sig, header, feedKey)
 */
export function getEd25519 (): Promise<Ed25519> {
  chosen ??= webCryptoSupportsEd25519().then((ok) => (ok ? createWebCryptoEd25519() : nobleEd25519))
  return chosen
}
