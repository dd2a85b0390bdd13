/**
 * Ed25519 for the simulated peers: real signatures (node:crypto), with signature checks
 * memoized by signature. 100,000 peers verifying every block would spend the run in
 * verification alone, and Ed25519 verification is a pure function of (signature, message,
 * key): the first check of a signature is real, and every later check of the same signature
 * on the same message and key returns the same answer. A forgery (another message under a
 * copied signature) misses the memo and is checked for real. Signing takes `signMs` of
 * virtual time, so that a busy source batches entries into blocks as the real one does.
 * Simulator only: the memo is no defence against anything and never belongs in a peer.
 */
import { equalBytes } from '../packages/broadcast/src/bytes.js'
import type { Ed25519 } from '../packages/broadcast/src/crypto/ed25519.js'
import type { EventLoop } from './event-loop.js'

interface Checked {
  signature: Uint8Array
  message: Uint8Array
  publicKey: Uint8Array
  ok: boolean
}

export interface MemoStats {
  /** Checks answered from the memo. */
  hits: number
  /** Checks done for real. */
  real: number
}

export function memoizedEd25519 (real: Ed25519, loop: EventLoop, signMs: number): Ed25519 & { memo: MemoStats } {
  const sync = real.verifySync
  if (sync === undefined) throw new Error('the simulator needs a synchronous Ed25519 (node:crypto)')
  // Keyed by the signature's first four bytes; each bucket is checked in full.
  const memo = new Map<number, Checked[]>()
  const stats: MemoStats = { hits: 0, real: 0 }
  const verifySync = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean => {
    const key = ((signature[0] ?? 0) | ((signature[1] ?? 0) << 8) | ((signature[2] ?? 0) << 16)) + (signature[3] ?? 0) * 0x1000000
    let bucket = memo.get(key)
    if (bucket !== undefined) {
      for (const c of bucket) {
        if (equalBytes(c.signature, signature) && equalBytes(c.message, message) && equalBytes(c.publicKey, publicKey)) {
          stats.hits++
          return c.ok
        }
      }
    }
    stats.real++
    const ok = sync(signature, message, publicKey)
    if (bucket === undefined) { bucket = []; memo.set(key, bucket) }
    bucket.push({ signature: signature.slice(), message: message.slice(), publicKey: publicKey.slice(), ok })
    return ok
  }
  return {
    backendName: real.backendName,
    memo: stats,
    verifySync,
    verify: async (signature, message, publicKey) => verifySync(signature, message, publicKey),
    sign: async (message, secretKey) => {
      const signature = await real.sign(message, secretKey)
      if (signMs <= 0) return signature
      return await new Promise<Uint8Array>((resolve) => {
        loop.after(signMs, () => { loop.settleSoon(); resolve(signature) })
      })
    },
    generateKeyPair: async () => await real.generateKeyPair(),
    getPublicKey: async (secretKey) => await real.getPublicKey(secretKey)
  }
}
