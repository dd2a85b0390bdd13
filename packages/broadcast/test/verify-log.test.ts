import { Packr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import {
  createWebCryptoEd25519,
  decodeExport,
  encodeEntry,
  encodeExport,
  exportLog,
  FeedLog,
  headerHash,
  nobleEd25519,
  verifyLog
} from '../src/index.js'
import { countingVerifier, flip, HOSTILE_VALUES, makeChain, signRaw, testKeyPair } from './helpers.js'

const keyPair = testKeyPair('verify-log')
const key = keyPair.publicKey
const opts = { verifier: nobleEd25519 }

describe('exportLog / verifyLog', () => {
  it('round-trips a full replica and reports it complete', async () => {
    const blocks = await makeChain(20, { keyPair, sizes: Array.from({ length: 20 }, (_, i) => 1 + (i % 5)) })
    const log = new FeedLog(key)
    for (const b of blocks) log.add(b)
    const bytes = exportLog(log)
    const decoded = decodeExport(bytes)
    expect(decoded.ok && decoded.log.blocks.length).toBe(20)
    const report = await verifyLog(bytes, key, opts)
    expect(report).toMatchObject({ ok: true, blocks: 20, entries: 60, ranges: [[0, 19]], seqRanges: [[0, 59]], complete: true })
    // with the automatic backend too
    expect((await verifyLog(bytes, key)).ok).toBe(true)
  })

  it('reports the ranges present in a partial log', async () => {
    const blocks = await makeChain(10, { keyPair, sizes: [2, 2, 2, 2, 2, 2, 2, 2, 2, 2] })
    const log = new FeedLog(key)
    for (const i of [0, 1, 4, 5, 6, 9]) log.add(blocks[i]!)
    const report = await verifyLog(exportLog(log), key, opts)
    expect(report).toMatchObject({ ok: true, blocks: 6, entries: 12, complete: false })
    expect(report.ranges).toEqual([[0, 1], [4, 6], [9, 9]])
    expect(report.seqRanges).toEqual([[0, 3], [8, 13], [18, 19]])
  })

  it('verifies a bounded cache’s export (no block 0) as a partial log', async () => {
    const blocks = await makeChain(30, { keyPair })
    const log = new FeedLog(key, { retention: { maxBlocks: 8 } })
    for (const b of blocks) log.add(b)
    const report = await verifyLog(exportLog(log), key, opts)
    expect(report).toMatchObject({ ok: true, ranges: [[22, 29]], complete: false })
  })

  it('rejects tampered entry, header, signature and chain link, each with its own reason', async () => {
    const blocks = await makeChain(4, { keyPair, sizes: [1, 2, 1, 1] })
    const raw = blocks.map((b) => ({ header: b.header, signature: b.signature, entries: b.entries }))
    const relinked = await signRaw(keyPair, { index: 2, firstSeq: 3, prevHash: headerHash(blocks[0]!.header), entries: [...blocks[2]!.entries] })
    const cases: [string, typeof raw, string][] = [
      ['entry', raw.map((b, i) => (i === 1 ? { ...b, entries: [b.entries[0]!, flip(b.entries[1]!, 0)] } : b)), 'ENTRY_HASH_MISMATCH'],
      ['header', raw.map((b, i) => (i === 2 ? { ...b, header: flip(b.header, 100) } : b)), 'BAD_SIGNATURE'],
      ['signature', raw.map((b, i) => (i === 3 ? { ...b, signature: flip(b.signature, 0) } : b)), 'BAD_SIGNATURE'],
      ['chain link', raw.map((b, i) => (i === 2 ? relinked : b)), 'CHAIN_MISMATCH'],
      ['reordered', [raw[0]!, raw[2]!, raw[1]!, raw[3]!], 'OUT_OF_ORDER'],
      ['block written twice', [raw[0]!, raw[1]!, raw[1]!], 'MALFORMED']
    ]
    for (const [label, list, reason] of cases) {
      const report = await verifyLog(encodeExport(key, list), key, opts)
      expect(report.reason, label).toBe(reason)
      expect(report.ok, label).toBe(false)
    }
  })

  it('a forked FeedLog exports its evidence, and verifyLog rejects it as FORK', async () => {
    const blocks = await makeChain(3, { keyPair })
    const twin = await signRaw(keyPair, { index: 2, firstSeq: 2, prevHash: headerHash(blocks[1]!.header), entries: [encodeEntry('twin')] })
    const log = new FeedLog(key)
    for (const b of blocks) log.add(b)
    expect(log.add(twin).status).toBe('fork')
    const report = await verifyLog(exportLog(log), key, opts)
    expect(report).toMatchObject({ ok: false, reason: 'FORK', blockIndex: 2, position: 3, blocks: 3 })
  })

  it('a chain fork seen by a FeedLog exports as CHAIN_MISMATCH', async () => {
    const blocks = await makeChain(2, { keyPair })
    const bad = await signRaw(keyPair, { index: 2, firstSeq: 2, prevHash: new Uint8Array(32).fill(1), entries: [encodeEntry('x')] })
    const log = new FeedLog(key)
    for (const b of blocks) log.add(b)
    expect(log.add(bad).status).toBe('fork')
    expect((await verifyLog(exportLog(log), key, opts)).reason).toBe('CHAIN_MISMATCH')
  })

  it('rejects another feed, other versions and garbage as values', async () => {
    const blocks = await makeChain(2, { keyPair })
    const bytes = encodeExport(key, blocks)
    expect((await verifyLog(bytes, testKeyPair('x').publicKey, opts)).reason).toBe('WRONG_FEED')
    const packr = new Packr({ useRecords: false })
    expect((await verifyLog(packr.pack({ version: 2, key, blocks: [] }), key, opts)).reason).toBe('UNSUPPORTED_VERSION')
    for (const junk of [
      new Uint8Array([1, 2, 3]),
      packr.pack({ version: 1, key, blocks: 'no' }),
      packr.pack({ version: 1, key: key.subarray(1), blocks: [] }),
      packr.pack({ version: 1, key, blocks: [{ header: 1 }] }),
      packr.pack({ version: 1, key, blocks: [null] }),
      packr.pack([1, 2]),
      packr.pack('string'),
      bytes.subarray(0, bytes.length - 10)
    ]) {
      const report = await verifyLog(junk, key, opts)
      expect(report.ok).toBe(false)
      expect(report.reason).toBe('MALFORMED')
    }
  })

  it('an empty log verifies as ok and not complete', async () => {
    expect(await verifyLog(encodeExport(key, []), key, opts)).toMatchObject({ ok: true, blocks: 0, complete: false })
  })

  it('checks signatures in parallel batches, and none after a structural failure', async () => {
    const blocks = await makeChain(100, { keyPair })
    const v = countingVerifier(createWebCryptoEd25519())
    expect((await verifyLog(encodeExport(key, blocks), key, { verifier: v, concurrency: 16 })).ok).toBe(true)
    expect(v.calls).toBe(100)
    const broken = blocks.map((b, i) => (i === 40 ? { ...b, entries: [flip(b.entries[0]!, 0)] } : b))
    const w = countingVerifier()
    expect((await verifyLog(encodeExport(key, broken), key, { verifier: w, concurrency: 16 })).reason).toBe('ENTRY_HASH_MISMATCH')
    expect(w.calls).toBe(40)
  })

  it('takes the feed key as the 43-character base64url string that names the feed', async () => {
    const blocks = await makeChain(3, { keyPair })
    const bytes = encodeExport(key, blocks)
    const name = Buffer.from(key).toString('base64url')
    expect(name).toHaveLength(43)
    expect(await verifyLog(bytes, name, opts)).toMatchObject({ ok: true, blocks: 3, complete: true })
    const other = Buffer.from(testKeyPair('another feed').publicKey).toString('base64url')
    expect(await verifyLog(bytes, other, opts)).toMatchObject({ ok: false, reason: 'WRONG_FEED' })
    // Not a feed key: the wrong length, a character outside base64url, standard base64, hex,
    // and a last character with its spare bits set (each key has exactly one spelling).
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const spare = name.slice(0, 42) + alphabet[alphabet.indexOf(name.at(-1)!) | 1]
    const bad = ['', name.slice(1), `${name}A`, `${name.slice(0, 42)}+`, Buffer.from(key).toString('base64'), Buffer.from(key).toString('hex'), spare]
    for (const text of bad) await expect(verifyLog(bytes, text, opts)).rejects.toThrow(/feedKey must be the feed key/)
  })

  it('throws for misuse', async () => {
    const bytes = encodeExport(key, [])
    for (const [, v] of HOSTILE_VALUES) {
      await expect(verifyLog(v as Uint8Array, key, opts)).rejects.toThrow(TypeError)
      await expect(verifyLog(bytes, v as Uint8Array, opts)).rejects.toThrow(TypeError)
    }
    await expect(verifyLog(bytes, key, { concurrency: 0 })).rejects.toThrow(RangeError)
    await expect(verifyLog(bytes, key, { verifier: {} as never })).rejects.toThrow(TypeError)
    expect(() => encodeExport(new Uint8Array(3), [])).toThrow(RangeError)
  })
})
