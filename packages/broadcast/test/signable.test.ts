import { describe, expect, it } from 'vitest'
import {
  BLOCK_TAG,
  encodeHeader,
  entryHashAt,
  HEADER_FIXED_BYTES,
  headerLength,
  parseHeader,
  peekBlockIndex,
  sha256,
  zeroHash
} from '../src/index.js'
import { toHex } from '../src/bytes.js'
import { HOSTILE_VALUES, testKeyPair } from './helpers.js'

const { publicKey } = testKeyPair('signable')
const hashes = [sha256(new Uint8Array([1])), sha256(new Uint8Array([2])), sha256(new Uint8Array([3]))]
const fields = { feedKey: publicKey, index: 7, firstSeq: 2 ** 40 + 5, prevHash: sha256(new Uint8Array([9])), entryHashes: hashes }

describe('header layout', () => {
  it('puts every field at its documented offset, big-endian', () => {
    const h = encodeHeader(fields)
    expect(h.length).toBe(102 + 3 * 32)
    expect(HEADER_FIXED_BYTES).toBe(102)
    expect(headerLength(3)).toBe(h.length)
    expect(new TextDecoder().decode(h.subarray(0, 18))).toBe(BLOCK_TAG)
    expect(BLOCK_TAG).toBe('peer-tree/block/v1')
    expect(toHex(h.subarray(18, 50))).toBe(toHex(publicKey))
    expect(toHex(h.subarray(50, 58))).toBe('0000000000000007')
    expect(toHex(h.subarray(58, 66))).toBe('0000010000000005')
    expect(toHex(h.subarray(66, 70))).toBe('00000003')
    expect(toHex(h.subarray(70, 102))).toBe(toHex(fields.prevHash))
    for (let i = 0; i < 3; i++) expect(toHex(h.subarray(102 + 32 * i, 134 + 32 * i))).toBe(toHex(hashes[i] as Uint8Array))
  })

  it('parses what it encodes, with views and no copies', () => {
    const h = encodeHeader(fields)
    const r = parseHeader(h)
    if (!r.ok) throw new Error(r.reason)
    expect(r.header.index).toBe(7)
    expect(r.header.firstSeq).toBe(2 ** 40 + 5)
    expect(r.header.count).toBe(3)
    expect(toHex(r.header.feedKey)).toBe(toHex(publicKey))
    expect(toHex(r.header.prevHash)).toBe(toHex(fields.prevHash))
    expect(toHex(entryHashAt(r.header.entryHashes, 2))).toBe(toHex(hashes[2] as Uint8Array))
    expect(r.header.prevHash.buffer).toBe(h.buffer)
    expect(peekBlockIndex(h)).toBe(7)
  })

  it('handles the largest safe u64', () => {
    const max = Number.MAX_SAFE_INTEGER
    const h = encodeHeader({ ...fields, index: max - 3, firstSeq: max - 2 })
    const r = parseHeader(h)
    expect(r.ok && r.header.index === max - 3 && r.header.firstSeq === max - 2).toBe(true)
    expect(() => encodeHeader({ ...fields, index: 1, firstSeq: max - 1 })).toThrow(RangeError)
  })
})

describe('parseHeader rejects as values, never throws', () => {
  const good = encodeHeader(fields)
  const mutate = (f: (h: Uint8Array) => void): Uint8Array => {
    const h = new Uint8Array(good)
    f(h)
    return h
  }
  const cases: [string, unknown, string][] = [
    ['wrong tag', mutate((h) => (h[17] = 0x32)), 'BAD_TAG'],
    ['empty', new Uint8Array(0), 'MALFORMED'],
    ['shorter than the fixed part', good.subarray(0, 101), 'MALFORMED'],
    ['one hash short', good.subarray(0, good.length - 1), 'MALFORMED'],
    ['one byte too long', new Uint8Array([...good, 0]), 'MALFORMED'],
    ['count says 4, three hashes', mutate((h) => (h[69] = 4)), 'MALFORMED'],
    ['count 0', encodeZeroCount(), 'MALFORMED'],
    ['index above 2^53', mutate((h) => (h[50] = 0x01)), 'MALFORMED'],
    ['firstSeq above 2^53', mutate((h) => (h[58] = 0x80)), 'MALFORMED'],
    ['firstSeq below index', mutate((h) => { h.fill(0, 58, 66); h[65] = 1 }), 'MALFORMED'],
    ['block 0 with a prevHash', mutate((h) => { h.fill(0, 50, 66); h[65] = 0 }), 'MALFORMED'],
    ...HOSTILE_VALUES.map(([label, v]): [string, unknown, string] => [label, v, 'MALFORMED'])
  ]
  it.each(cases)('%s', (_label, bytes, reason) => {
    expect(parseHeader(bytes)).toEqual({ ok: false, reason })
  })

  it('peekBlockIndex answers undefined for garbage', () => {
    for (const [, v] of HOSTILE_VALUES) expect(peekBlockIndex(v)).toBeUndefined()
    expect(peekBlockIndex(new Uint8Array(50))).toBeUndefined()
  })

  function encodeZeroCount (): Uint8Array {
    const h = new Uint8Array(102)
    h.set(good.subarray(0, 102))
    h.fill(0, 66, 70)
    return h
  }
})

describe('encodeHeader rejects misuse with TypeError/RangeError', () => {
  it.each([
    ['short feed key', { ...fields, feedKey: new Uint8Array(31) }, RangeError],
    ['feed key as string', { ...fields, feedKey: 'ab' }, TypeError],
    ['negative index', { ...fields, index: -1 }, RangeError],
    ['fractional index', { ...fields, index: 1.5 }, TypeError],
    ['index above 2^53', { ...fields, index: 2 ** 53 }, RangeError],
    ['no entries', { ...fields, entryHashes: [] }, RangeError],
    ['short entry hash', { ...fields, entryHashes: [new Uint8Array(31)] }, RangeError],
    ['entry hashes not an array', { ...fields, entryHashes: new Uint8Array(32) }, TypeError],
    ['block 0 with prevHash', { ...fields, index: 0, firstSeq: 0 }, RangeError],
    ['block 0 with firstSeq 1', { ...fields, index: 0, firstSeq: 1, prevHash: zeroHash() }, RangeError],
    ['firstSeq below index', { ...fields, index: 10, firstSeq: 9 }, RangeError],
    ['null', null, TypeError]
  ])('%s', (_label, f, error) => {
    expect(() => encodeHeader(f as never)).toThrow(error)
  })
})
