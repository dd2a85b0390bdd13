/**
 * Generates test/vectors/blocks.json from fixed seeds (Ed25519 is deterministic, so the file
 * is byte-for-byte reproducible). vectors.test.ts checks the committed file against a fresh
 * run, so a change to the block format shows up as a failing test, not as silent drift.
 *
 * Rewrite the file after an intended format change:
 *   UPDATE_VECTORS=1 npx vitest run packages/broadcast/test/vectors.test.ts
 */
import { encodeEntry, headerHash, type RawBlock, type VerifiedBlock } from '../../src/index.js'
import { toHex } from '../../src/bytes.js'
import { flip, makeChain, signRaw, testKeyPair } from '../helpers.js'

export interface VectorBlock {
  header: string
  signature: string
  entries: string[]
  /** Whether `signature` is a valid Ed25519 signature of `header` under the file's key. */
  signatureValid: boolean
}

export interface VectorCase {
  name: string
  comment: string
  /** The blocks of an exported log, in this order. */
  blocks: VectorBlock[]
  /** What verifyLog must answer. */
  expect: { ok: true; ranges: [number, number][]; entries: number } | { ok: false; reason: string; blockIndex?: number }
  /** What verifyBlock must answer for each block alone (ok or the reason). */
  expectBlocks: string[]
}

export interface VectorFile {
  description: string
  format: string
  key: string
  secretKeySeedLabel: string
  cases: VectorCase[]
}

const hex = (b: Uint8Array): string => toHex(b)

export async function generateVectors (): Promise<VectorFile> {
  const keyPair = testKeyPair('vectors')
  const stranger = testKeyPair('vectors: another feed')
  const value = (seq: number): unknown =>
    seq % 3 === 0 ? new Uint8Array([seq, seq + 1, seq + 2]) : seq % 3 === 1 ? { seq, text: `entry ${seq}` } : [seq, 'x'.repeat(seq)]
  const chain = await makeChain(5, { keyPair, sizes: [1, 3, 1, 2, 4], value })
  const [b0, b1, b2, b3, b4] = chain as [VerifiedBlock, VerifiedBlock, VerifiedBlock, VerifiedBlock, VerifiedBlock]

  const valid = (b: RawBlock, signatureValid = true): VectorBlock => ({
    header: hex(b.header),
    signature: hex(b.signature),
    entries: b.entries.map(hex),
    signatureValid
  })
  const ok = chain.map(() => 'ok')

  const tamperedEntry = { ...b1, entries: [b1.entries[0]!, flip(b1.entries[1]!, 1), b1.entries[2]!] }
  const headerFirstSeq = { ...b2, header: flip(b2.header, 65, 2) }
  const headerPrevHash = { ...b2, header: flip(b2.header, 90) }
  const badSignature = { ...b3, signature: flip(b3.signature, 40) }
  const badChainPrev = await signRaw(keyPair, { index: 2, firstSeq: 4, prevHash: headerHash(b0.header), entries: [...b2.entries] })
  const badChainSeq = await signRaw(keyPair, { index: 2, firstSeq: 5, prevHash: headerHash(b1.header), entries: [...b2.entries] })
  const twin = await signRaw(keyPair, { index: 3, firstSeq: 5, prevHash: headerHash(b2.header), entries: [encodeEntry('the other history')] })
  const foreign = await signRaw(stranger, { index: 0, firstSeq: 0, prevHash: new Uint8Array(32), entries: [encodeEntry('not this feed')] })
  const forgedByStranger = await signRaw(stranger, {
    index: 1,
    firstSeq: 1,
    prevHash: headerHash(b0.header),
    entries: [...b1.entries],
    feedKey: keyPair.publicKey
  })

  const cases: VectorCase[] = [
    {
      name: 'valid-chain',
      comment: 'five chained blocks of 1, 3, 1, 2 and 4 entries (binary, map and array values): all checks pass',
      blocks: chain.map((b) => valid(b)),
      expect: { ok: true, ranges: [[0, 4]], entries: 11 },
      expectBlocks: ok
    },
    {
      name: 'valid-partial',
      comment: 'blocks 0, 1, 3 and 4 of the same log: a gap is not an error, the ranges report it',
      blocks: [b0, b1, b3, b4].map((b) => valid(b)),
      expect: { ok: true, ranges: [[0, 1], [3, 4]], entries: 10 },
      expectBlocks: ['ok', 'ok', 'ok', 'ok']
    },
    {
      name: 'tampered-entry',
      comment: 'block 1 entry 1 has one bit flipped: its SHA-256 no longer matches the header',
      blocks: [valid(b0), valid(tamperedEntry), valid(b2)],
      expect: { ok: false, reason: 'ENTRY_HASH_MISMATCH', blockIndex: 1 },
      expectBlocks: ['ok', 'ENTRY_HASH_MISMATCH', 'ok']
    },
    {
      name: 'tampered-header-firstSeq',
      comment: 'block 2 header firstSeq changed from 4 to 6 after signing: the signature fails',
      blocks: [valid(b0), valid(b1), valid(headerFirstSeq, false)],
      expect: { ok: false, reason: 'BAD_SIGNATURE', blockIndex: 2 },
      expectBlocks: ['ok', 'ok', 'BAD_SIGNATURE']
    },
    {
      name: 'tampered-header-prevHash',
      comment: 'block 2 header prevHash has one bit flipped after signing: the signature fails (before any chain check)',
      blocks: [valid(b0), valid(b1), valid(headerPrevHash, false)],
      expect: { ok: false, reason: 'BAD_SIGNATURE', blockIndex: 2 },
      expectBlocks: ['ok', 'ok', 'BAD_SIGNATURE']
    },
    {
      name: 'tampered-signature',
      comment: 'block 3 signature has one bit flipped',
      blocks: [b0, b1, b2].map((b) => valid(b)).concat(valid(badSignature, false)),
      expect: { ok: false, reason: 'BAD_SIGNATURE', blockIndex: 3 },
      expectBlocks: ['ok', 'ok', 'ok', 'BAD_SIGNATURE']
    },
    {
      name: 'broken-chain-prevHash',
      comment: 'block 2 is validly signed but its prevHash is the hash of block 0, not block 1: the source broke its chain',
      blocks: [valid(b0), valid(b1), valid(badChainPrev)],
      expect: { ok: false, reason: 'CHAIN_MISMATCH', blockIndex: 2 },
      expectBlocks: ['ok', 'ok', 'ok']
    },
    {
      name: 'broken-chain-firstSeq',
      comment: 'block 2 is validly signed and links by hash, but starts at seq 5 where block 1 ended at seq 3',
      blocks: [valid(b0), valid(b1), valid(badChainSeq)],
      expect: { ok: false, reason: 'CHAIN_MISMATCH', blockIndex: 2 },
      expectBlocks: ['ok', 'ok', 'ok']
    },
    {
      name: 'reordered',
      comment: 'blocks 0, 2, 1: every block is valid alone, but an export must be in increasing index order',
      blocks: [b0, b2, b1].map((b) => valid(b)),
      expect: { ok: false, reason: 'OUT_OF_ORDER', blockIndex: 1 },
      expectBlocks: ['ok', 'ok', 'ok']
    },
    {
      name: 'forked',
      comment: 'two different validly signed blocks for index 3: the source forked its log',
      blocks: [b0, b1, b2, b3, twin].map((b) => valid(b)),
      expect: { ok: false, reason: 'FORK', blockIndex: 3 },
      expectBlocks: ['ok', 'ok', 'ok', 'ok', 'ok']
    },
    {
      name: 'wrong-feed',
      comment: 'block 0 of another feed (another key in the header, signed by that key, so not valid under ours)',
      blocks: [valid(foreign, false)],
      expect: { ok: false, reason: 'WRONG_FEED', blockIndex: 0 },
      expectBlocks: ['WRONG_FEED']
    },
    {
      name: 'forged-by-another-key',
      comment: 'block 1 names our feed key but is signed with another key',
      blocks: [valid(b0), valid(forgedByStranger, false)],
      expect: { ok: false, reason: 'BAD_SIGNATURE', blockIndex: 1 },
      expectBlocks: ['ok', 'BAD_SIGNATURE']
    },
    {
      name: 'count-mismatch',
      comment: 'block 1 lists 3 entry hashes but carries 2 entries',
      blocks: [valid(b0), valid({ ...b1, entries: b1.entries.slice(0, 2) })],
      expect: { ok: false, reason: 'COUNT_MISMATCH', blockIndex: 1 },
      expectBlocks: ['ok', 'COUNT_MISMATCH']
    },
    {
      name: 'truncated-header',
      comment: 'block 1 header cut by one byte',
      blocks: [valid(b0), valid({ ...b1, header: b1.header.subarray(0, b1.header.length - 1) }, false)],
      expect: { ok: false, reason: 'MALFORMED', blockIndex: 1 },
      expectBlocks: ['ok', 'MALFORMED']
    },
    {
      name: 'bad-tag',
      comment: 'block 0 header tag says v2',
      blocks: [valid({ ...b0, header: flip(b0.header, 17, 3) }, false)],
      expect: { ok: false, reason: 'BAD_TAG', blockIndex: 0 },
      expectBlocks: ['BAD_TAG']
    }
  ]
  return {
    description: 'peer-tree signed block test vectors: exported logs and the verdicts verifyLog and verifyBlock must reach',
    format: 'docs/block-format.md; all byte strings are hex',
    key: hex(keyPair.publicKey),
    secretKeySeedLabel: 'secretKey = SHA-256("peer-tree test key: vectors")',
    cases
  }
}
