import * as ed from '@noble/ed25519'
import { expect, test } from 'vitest'
import { issueChallenge, takeChallenge, verifyOwnerProof } from '../src/owner-proof.js'
import type { Challenge } from '../src/owner-proof.js'
import { ownerSignable, ownedTreeId, serverIdentityOf } from '../src/protocol.js'

test('nonces: single use, expiring, bounded per socket', () => {
  const book: Challenge[] = []
  const a = issueChallenge(book, 0, 100, 2)
  const b = issueChallenge(book, 0, 100, 2)
  expect(a.nonce).not.toBe(b.nonce)
  expect(takeChallenge(book, a.nonce, 50)).toBe(true)
  expect(takeChallenge(book, a.nonce, 50)).toBe(false) // spent
  expect(takeChallenge(book, b.nonce, 100)).toBe(false) // expired at 100
  const c = issueChallenge(book, 0, 100, 2)
  issueChallenge(book, 0, 100, 2)
  issueChallenge(book, 0, 100, 2)
  expect(takeChallenge(book, c.nonce, 1)).toBe(false) // dropped: only the newest two stay
  expect(book).toHaveLength(2)
})

test('a proof verifies only for the key, nonce and index that were signed; junk is false, not a throw', async () => {
  const sk = ed.utils.randomSecretKey()
  const key = Buffer.from(await ed.getPublicKeyAsync(sk)).toString('base64url')
  const nonce = 'nonce1'
  const signature = Buffer.from(await ed.signAsync(ownerSignable('a.example', nonce, key, 3), sk)).toString('base64url')
  const here = ['b.example', 'a.example']
  expect(await verifyOwnerProof({ key, index: 3, nonce, signature }, here)).toBe(true)
  expect(await verifyOwnerProof({ key, index: 3, nonce, signature }, ['b.example'])).toBe(false)
  expect(await verifyOwnerProof({ key, index: 3, nonce, signature }, [])).toBe(false)
  expect(await verifyOwnerProof({ key, index: 4, nonce, signature }, here)).toBe(false)
  expect(await verifyOwnerProof({ key, index: 3, nonce: 'nonce2', signature }, here)).toBe(false)
  expect(await verifyOwnerProof({ key: 'A'.repeat(43), index: 3, nonce, signature }, here)).toBe(false)
  expect(await verifyOwnerProof({ key, index: 3, nonce, signature: 'AAAA' }, here)).toBe(false)
  expect(ownedTreeId(key, 3)).toBe(`${key}.3`)
})

test('the signed bytes are the documented layout, naming the server', () => {
  expect(new TextDecoder().decode(ownerSignable('s.example:8080', 'n', 'k', 7))).toBe('peer-tree/create/v2\ns.example:8080\nn\nk\n7')
  expect(serverIdentityOf('https://Feeds.Example.org/socket.io')).toBe('feeds.example.org')
  expect(serverIdentityOf('http://127.0.0.1:3000')).toBe('127.0.0.1:3000')
  expect(serverIdentityOf('http://example.org:80')).toBe('example.org')
  expect(serverIdentityOf('not a url')).toBe('')
})

test('a v1 proof (no server named) is refused', async () => {
  const sk = ed.utils.randomSecretKey()
  const key = Buffer.from(await ed.getPublicKeyAsync(sk)).toString('base64url')
  const v1 = new TextEncoder().encode(`peer-tree/create/v1\nn1\n${key}\n0`)
  const signature = Buffer.from(await ed.signAsync(v1, sk)).toString('base64url')
  expect(await verifyOwnerProof({ key, index: 0, nonce: 'n1', signature }, ['a.example', ''])).toBe(false)
})
