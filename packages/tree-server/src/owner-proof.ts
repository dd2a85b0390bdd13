/**
 * Owned trees: a creator proves it holds the Ed25519 secret key of `owner.key` by signing
 * `ownerSignable(server, nonce, key, index)` (peer-tree-protocol), where `nonce` is a challenge the
 * server sent to that socket and `server` the server's identity as the creator reached it.
 * A nonce is single use and expires, so a captured proof cannot be replayed; the identity
 * makes a proof good on one server only, so a server the owner talks to cannot pass it on
 * to another. Proofs of the first version (no identity) are refused: they can be relayed. A socket may hold a few outstanding nonces at once (a feed's source creates its
 * m trees over one socket concurrently), the oldest dropped beyond a bound.
 */
import { randomBytes } from 'node:crypto'
import * as ed from '@noble/ed25519'
import { ID_BYTES } from './constants.js'
import { ownerSignable } from './protocol.js'
import type { OwnerProof } from './protocol.js'

export interface Challenge {
  nonce: string
  expiresAt: number
}

/** Mint a nonce into `outstanding`, dropping expired ones and the oldest beyond `max`. */
export function issueChallenge (outstanding: Challenge[], now: number, ttlMs: number, max: number): Challenge {
  const c = { nonce: randomBytes(ID_BYTES).toString('base64url'), expiresAt: now + ttlMs }
  const live = outstanding.filter((o) => now < o.expiresAt)
  live.push(c)
  outstanding.splice(0, outstanding.length, ...live.slice(-max))
  return c
}

/** Spend `nonce`: true if it was outstanding and fresh. It is gone afterwards either way. */
export function takeChallenge (outstanding: Challenge[], nonce: string, now: number): boolean {
  const i = outstanding.findIndex((o) => o.nonce === nonce)
  if (i === -1) return false
  const [c] = outstanding.splice(i, 1)
  return c !== undefined && now < c.expiresAt
}

/**
 * Check the signature as made for one of `identities` (the names this server answers to).
 * Never throws: malformed keys or signatures are just `false`.
 */
export async function verifyOwnerProof (proof: OwnerProof, identities: readonly string[]): Promise<boolean> {
  try {
    const key = Buffer.from(proof.key, 'base64url')
    const sig = Buffer.from(proof.signature, 'base64url')
    for (const server of identities) {
      if (await ed.verifyAsync(sig, ownerSignable(server, proof.nonce, proof.key, proof.index), key)) return true
    }
    return false
  } catch {
    return false
  }
}

/**
 * The names this server answers to for a socket: the configured ones, else the `Host` header
 * of the socket's handshake (what the client connected to; behind a proxy that rewrites it,
 * or against a client that forges it, only configured names bind a proof to this server).
 */
export function identitiesFor (configured: readonly string[], hostHeader: unknown): readonly string[] {
  if (configured.length > 0) return configured
  return typeof hostHeader === 'string' && hostHeader.length > 0 ? [hostHeader.toLowerCase()] : []
}
