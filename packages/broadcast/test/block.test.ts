import { describe, expect, it, vi } from 'vitest'
import {
  createNodeEd25519,
  createWebCryptoEd25519,
  encodeEntry,
  nobleEd25519,
  parseBlock,
  peekBlockKey,
  signBlock,
  verifyBlock,
  zeroHash,
  type RawBlock
} from '../src/index.js'
import { countingVerifier, flip, HOSTILE_VALUES, makeChain, testKeyPair } from './helpers.js'

const keyPair = testKeyPair('block')
const other = testKeyPair('other feed')
const ed = nobleEd25519

async function sample (): Promise<RawBlock> {
  const [, , b] = await makeChain(3, { keyPair, sizes: [3, 1, 3] })
  return { header: b!.header, signature: b!.signature, entries: b!.entries }
}

describe('signBlock / verifyBlock', () => {
  it('round-trips with every backend', async () => {
    const raw = await sample()
    for (const v of [nobleEd25519, createWebCryptoEd25519(), createNodeEd25519()]) {
      const r = await verifyBlock(raw, keyPair.publicKey, v)
      expect(r.ok).toBe(true)
      if (r.ok) {
        expect(r.block.index).toBe(2)
        expect(r.block.firstSeq).toBe(4)
        expect(r.block.count).toBe(3)
        expect(r.block.entries).toBe(raw.entries) // no copy
      }
    }
  })

  it('signs identically with every backend', async () => {
    const entries = [encodeEntry('a'), encodeEntry(new Uint8Array([1, 2]))]
    const input = { feedKey: keyPair.publicKey, index: 0, firstSeq: 0, prevHash: zeroHash(), entries }
    const sigs = await Promise.all(
      [nobleEd25519, createWebCryptoEd25519(), createNodeEd25519()].map((s) => signBlock(input, keyPair.secretKey, s))
    )
    expect(new Set(sigs.map((b) => Buffer.from(b.signature).toString('hex'))).size).toBe(1)
  })

  it('rejects a tampered entry as ENTRY_HASH_MISMATCH without checking the signature', async () => {
    const raw = await sample()
    const verifier = countingVerifier()
    const entries = raw.entries.slice()
    entries[2] = flip(entries[2] as Uint8Array, 0)
    expect(await verifyBlock({ ...raw, entries }, keyPair.publicKey, verifier)).toEqual({ ok: false, reason: 'ENTRY_HASH_MISMATCH' })
    expect(verifier.calls).toBe(0)
  })

  it.each([
    ['index', 57],
    ['firstSeq', 65],
    ['prevHash', 80],
    ['an entry hash', 110]
  ])('rejects a tampered header field (%s)', async (field, at) => {
    const raw = await sample()
    const r = await verifyBlock({ ...raw, header: flip(raw.header, at, 1) }, keyPair.publicKey, ed)
    // An entry hash changed in the header no longer matches its entry; other fields break the signature.
    expect(r).toEqual({ ok: false, reason: field === 'an entry hash' ? 'ENTRY_HASH_MISMATCH' : 'BAD_SIGNATURE' })
  })

  it('rejects a wrong tag, a count mismatch and a truncated header', async () => {
    const raw = await sample()
    expect(await verifyBlock({ ...raw, header: flip(raw.header, 3) }, keyPair.publicKey, ed)).toEqual({ ok: false, reason: 'BAD_TAG' })
    expect(await verifyBlock({ ...raw, entries: raw.entries.slice(1) }, keyPair.publicKey, ed)).toEqual({
      ok: false,
      reason: 'COUNT_MISMATCH'
    })
    expect(await verifyBlock({ ...raw, header: raw.header.subarray(0, 120) }, keyPair.publicKey, ed)).toEqual({
      ok: false,
      reason: 'MALFORMED'
    })
  })

  it('rejects a tampered signature as BAD_SIGNATURE', async () => {
    const raw = await sample()
    for (const at of [0, 31, 32, 63]) {
      expect(await verifyBlock({ ...raw, signature: flip(raw.signature, at) }, keyPair.publicKey, ed)).toEqual({
        ok: false,
        reason: 'BAD_SIGNATURE'
      })
    }
  })

  it('rejects a block of another feed as WRONG_FEED, and one signed by another key as BAD_SIGNATURE', async () => {
    const raw = await sample()
    expect(await verifyBlock(raw, other.publicKey, ed)).toEqual({ ok: false, reason: 'WRONG_FEED' })
    const header = new Uint8Array(raw.header)
    const forged = await signBlock(
      { feedKey: keyPair.publicKey, index: 2, firstSeq: 4, prevHash: header.subarray(70, 102), entries: raw.entries },
      other.secretKey,
      ed
    )
    expect(await verifyBlock(forged, keyPair.publicKey, ed)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' })
  })

  it('treats a verifier that throws as a bad signature', async () => {
    const raw = await sample()
    const verifier = { verify: vi.fn().mockRejectedValue(new Error('backend down')) }
    expect(await verifyBlock(raw, keyPair.publicKey, verifier)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' })
  })

  it('answers MALFORMED for hostile block shapes, never throws', async () => {
    const raw = await sample()
    const shapes: unknown[] = [
      ...HOSTILE_VALUES.map(([, v]) => v),
      { ...raw, header: undefined },
      { ...raw, signature: raw.signature.subarray(0, 63) },
      { ...raw, signature: 'x'.repeat(64) },
      { ...raw, entries: 'entries' },
      { ...raw, entries: [...raw.entries.slice(0, 2), 'not bytes'] },
      { ...raw, entries: [...raw.entries.slice(0, 2), null] }
    ]
    for (const shape of shapes) {
      expect((await verifyBlock(shape, keyPair.publicKey, ed)).ok).toBe(false)
      expect(parseBlock(shape).ok).toBe(false)
    }
  })

  it('throws for misuse: a wrong feed key or verifier', async () => {
    const raw = await sample()
    for (const [, v] of HOSTILE_VALUES) await expect(verifyBlock(raw, v as Uint8Array, ed)).rejects.toThrow(TypeError)
    await expect(verifyBlock(raw, new Uint8Array(31), ed)).rejects.toThrow(RangeError)
    await expect(verifyBlock(raw, keyPair.publicKey, {} as never)).rejects.toThrow(TypeError)
  })

  it('signBlock rejects misuse', async () => {
    const base = { feedKey: keyPair.publicKey, index: 0, firstSeq: 0, prevHash: zeroHash(), entries: [encodeEntry(1)] }
    await expect(signBlock({ ...base, entries: [] }, keyPair.secretKey, ed)).rejects.toThrow(RangeError)
    await expect(signBlock({ ...base, entries: ['x' as never] }, keyPair.secretKey, ed)).rejects.toThrow(TypeError)
    await expect(signBlock({ ...base, entries: 'x' as never }, keyPair.secretKey, ed)).rejects.toThrow(TypeError)
    await expect(signBlock(base, new Uint8Array(3), ed)).rejects.toThrow(RangeError)
    await expect(signBlock(base, keyPair.secretKey, {} as never)).rejects.toThrow(TypeError)
    await expect(signBlock(null as never, keyPair.secretKey, ed)).rejects.toThrow(TypeError)
  })

  it('peekBlockKey reads index and signature without parsing', async () => {
    const raw = await sample()
    expect(peekBlockKey(raw)).toEqual({ index: 2, signature: raw.signature })
    expect(peekBlockKey({ ...raw, signature: raw.signature.subarray(1) })).toBeUndefined()
    expect(peekBlockKey({ ...raw, header: raw.header.subarray(0, 60) })).toBeUndefined()
    expect(peekBlockKey(null as never)).toBeUndefined()
  })
})
