// Every public function that takes bytes or numbers from a caller rejects the wrong kind
// with TypeError/RangeError (misuse), and every function that takes bytes from the network
// answers with a value instead of throwing. noble's getTypeTests, applied to our API.
import { describe, expect, it } from 'vitest'
import {
  BlockDedup,
  decodeEntry,
  decodeExport,
  decodeMessage,
  encodeHeader,
  FeedLog,
  FrameDecoder,
  GapTracker,
  nobleEd25519,
  parseBlock,
  parseHeader,
  peekBlockIndex,
  sha256,
  verifyBlock,
  zeroHash
} from '../src/index.js'
import { HOSTILE_VALUES, testKeyPair } from './helpers.js'

const key = testKeyPair('hostile').publicKey
const BAD_INTEGERS: unknown[] = [-1, 0.5, Number.NaN, Infinity, 2 ** 53, '1', null, undefined, 1n, {}]

describe('hostile arguments', () => {
  it.each(HOSTILE_VALUES)('network decoders answer %s with a value', (_label, v) => {
    expect(decodeMessage(v as Uint8Array).ok).toBe(false)
    expect(decodeExport(v as Uint8Array).ok).toBe(false)
    expect(decodeEntry(v as Uint8Array).ok).toBe(false)
    expect(parseHeader(v).ok).toBe(false)
    expect(parseBlock(v).ok).toBe(false)
    expect(peekBlockIndex(v)).toBeUndefined()
    expect(new FrameDecoder().receive(v as Uint8Array).ok).toBe(false)
  })

  it.each(HOSTILE_VALUES)('byte arguments reject %s with TypeError', async (_label, v) => {
    const bytes = v as Uint8Array
    expect(() => sha256(bytes)).toThrow(TypeError)
    expect(() => new FeedLog(bytes)).toThrow(TypeError)
    expect(() => new BlockDedup().has(0, bytes)).toThrow(TypeError)
    expect(() => encodeHeader({ feedKey: bytes, index: 0, firstSeq: 0, prevHash: zeroHash(), entryHashes: [sha256(new Uint8Array())] })).toThrow(
      TypeError
    )
    await expect(verifyBlock({}, bytes, nobleEd25519)).rejects.toThrow(TypeError)
  })

  it.each(BAD_INTEGERS.map((v) => [String(v), v]))('index arguments reject %s', (_label, v) => {
    const n = v as number
    expect(() => new GapTracker().add(n)).toThrow()
    expect(() => new BlockDedup().has(n, new Uint8Array(64))).toThrow()
    // In options, undefined (and null) mean "the default"; every other wrong value throws.
    if (v !== undefined && v !== null) {
      expect(() => new GapTracker({ floor: n })).toThrow()
      expect(() => new FeedLog(key, { startIndex: n })).toThrow()
    }
    expect(() => encodeHeader({ feedKey: key, index: n, firstSeq: 0, prevHash: zeroHash(), entryHashes: [sha256(new Uint8Array())] })).toThrow()
  })
})
