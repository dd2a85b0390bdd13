import { Packr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import {
  decodeEntry,
  decodeMessage,
  encodeMessage,
  FrameDecoder,
  FrameEncoder,
  MessageType,
  verifyBlock,
  nobleEd25519,
  type WireMessage
} from '../src/index.js'
import { HOSTILE_VALUES, makeChain, shuffled, testKeyPair } from './helpers.js'

const keyPair = testKeyPair('wire')
const packr = new Packr({ useRecords: false })

describe('wire codec', () => {
  it('round-trips every message type', async () => {
    const [block] = await makeChain(1, { keyPair, sizes: [3] })
    const messages: WireMessage[] = [
      { type: MessageType.BLOCK, block: { header: block!.header, signature: block!.signature, entries: block!.entries } },
      { type: MessageType.WANT, from: 3, to: 2 ** 40 },
      { type: MessageType.HAVE, highest: -1 },
      { type: MessageType.HAVE, highest: 99, ranges: [[0, 10], [20, 99]] },
      { type: MessageType.FRAGMENT, id: 0xffff_ffff, index: 1, total: 2, bytes: new Uint8Array([1, 2, 3]) }
    ]
    for (const m of messages) {
      const r = decodeMessage(encodeMessage(m))
      expect(r.ok).toBe(true)
      if (!r.ok) continue
      expect(r.message.type).toBe(m.type)
      if (m.type === MessageType.BLOCK && r.message.type === MessageType.BLOCK) {
        expect(Buffer.from(r.message.block.header).equals(Buffer.from(m.block.header))).toBe(true)
        expect(r.message.block.entries).toHaveLength(3)
        expect((await verifyBlock(r.message.block, keyPair.publicKey, nobleEd25519)).ok).toBe(true)
      } else if (m.type === MessageType.FRAGMENT && r.message.type === MessageType.FRAGMENT) {
        expect({ ...r.message, bytes: [...r.message.bytes] }).toEqual({ ...m, bytes: [...m.bytes] })
      } else {
        expect(r.message).toEqual(m)
      }
    }
  })

  it('decodes block bytes as views into the received message (zero copy)', async () => {
    const [block] = await makeChain(1, { keyPair })
    const bytes = encodeMessage({ type: MessageType.BLOCK, block: block! })
    const r = decodeMessage(bytes)
    if (!r.ok || r.message.type !== MessageType.BLOCK) throw new Error('decode failed')
    expect(r.message.block.header.buffer).toBe(bytes.buffer)
    expect(r.message.block.entries[0]!.buffer).toBe(bytes.buffer)
  })

  it('ignores trailing fields (room for later versions)', () => {
    const r = decodeMessage(packr.pack([MessageType.WANT, 1, 2, 'future']))
    expect(r).toEqual({ ok: true, message: { type: MessageType.WANT, from: 1, to: 2 } })
  })

  it('accepts a BLOCK only in its canonical encoding: junk appended to a valid block is refused', async () => {
    const [block] = await makeChain(1, { keyPair, sizes: [2] })
    const { header, signature, entries } = block!
    const good = encodeMessage({ type: MessageType.BLOCK, block: block! })
    expect(decodeMessage(good).ok).toBe(true)
    const junk = new Uint8Array(100_000).fill(0x55)
    const bin16 = (b: Uint8Array): Uint8Array => Uint8Array.from([0xc5, b.length >> 8, b.length & 0xff, ...b])
    const wide = Uint8Array.from([0x94, 0x00, ...bin16(header), ...good.subarray(2 + 2 + header.length)])
    const variants: [string, Uint8Array][] = [
      ['a fifth element of junk', packr.pack([MessageType.BLOCK, header, signature, entries, junk])],
      ['many extra elements', packr.pack([MessageType.BLOCK, header, signature, entries, 1, 2, 3, 'x'.repeat(1000)])],
      ['the type as a uint8', Uint8Array.from([0x94, 0xcc, 0x00, ...good.subarray(2)])],
      ['a 4-element array16 header', Uint8Array.from([0xdc, 0x00, 0x04, ...good.subarray(1)])],
      ['a header in a wider bin', wide]
    ]
    for (const [label, bytes] of variants) {
      expect([label, decodeMessage(bytes)]).toEqual([label, { ok: false, reason: 'NON_CANONICAL_BLOCK' }])
    }
    // The same through fragments: a reassembled block with junk is refused too.
    const d = new FrameDecoder()
    const frames = new FrameEncoder().split(packr.pack([MessageType.BLOCK, header, signature, entries, junk]))
    const results = frames.map((f) => d.receive(f))
    expect(results.at(-1)).toEqual({ ok: false, reason: 'NON_CANONICAL_BLOCK' })
  })

  it('property: every block encodeMessage writes is canonical, whatever the sizes', async () => {
    const sizes = [0, 1, 15, 16, 255, 256, 65_535, 65_536, 70_000]
    for (const n of sizes) {
      const entries = [new Uint8Array(n), new Uint8Array(3)]
      const many = Array.from({ length: 17 }, () => new Uint8Array(1))
      for (const list of [entries, many]) {
        const bytes = encodeMessage({ type: MessageType.BLOCK, block: { header: new Uint8Array(n), signature: new Uint8Array(64), entries: list } })
        expect(decodeMessage(bytes).ok).toBe(true)
        expect(decodeMessage(Buffer.from(bytes)).ok).toBe(true)
      }
    }
  })

  it('answers hostile bytes with values, never throws', () => {
    const hostile: [string, Uint8Array, string][] = [
      ['empty', new Uint8Array(0), 'MALFORMED_MESSAGE'],
      ['not msgpack', new Uint8Array([0xc1]), 'MALFORMED_MESSAGE'],
      ['truncated', encodeMessage({ type: MessageType.WANT, from: 1, to: 300 }).subarray(0, 3), 'MALFORMED_MESSAGE'],
      ['huge array header', new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff, 0x00]), 'MALFORMED_MESSAGE'],
      ['huge bin header', new Uint8Array([0x92, 0x00, 0xc6, 0xff, 0xff, 0xff, 0xff]), 'MALFORMED_MESSAGE'],
      ['a map', packr.pack({ type: 0 }), 'MALFORMED_MESSAGE'],
      ['a string type', packr.pack(['0']), 'MALFORMED_MESSAGE'],
      ['unknown type', packr.pack([9, 1]), 'UNKNOWN_TYPE'],
      ['block with string header', packr.pack([0, 'h', new Uint8Array(64), []]), 'MALFORMED_MESSAGE'],
      ['block with entries not bytes', packr.pack([0, new Uint8Array(1), new Uint8Array(64), [1]]), 'MALFORMED_MESSAGE'],
      ['block with entries not array', packr.pack([0, new Uint8Array(1), new Uint8Array(64), new Uint8Array(1)]), 'MALFORMED_MESSAGE'],
      ['want from > to', packr.pack([1, 5, 4]), 'MALFORMED_MESSAGE'],
      ['want negative', packr.pack([1, -1, 4]), 'MALFORMED_MESSAGE'],
      ['want fractional', packr.pack([1, 1.5, 4]), 'MALFORMED_MESSAGE'],
      ['want above 2^53', packr.pack([1, 0, 2 ** 60]), 'MALFORMED_MESSAGE'],
      ['have -2', packr.pack([2, -2]), 'MALFORMED_MESSAGE'],
      ['have bad range', packr.pack([2, 5, [[3, 1]]]), 'MALFORMED_MESSAGE'],
      ['have too many ranges', packr.pack([2, 5, Array.from({ length: 1025 }, () => [0, 1])]), 'MALFORMED_MESSAGE'],
      ['fragment total 1', packr.pack([3, 1, 0, 1, new Uint8Array(1)]), 'MALFORMED_MESSAGE'],
      ['fragment index = total', packr.pack([3, 1, 2, 2, new Uint8Array(1)]), 'MALFORMED_MESSAGE'],
      ['fragment empty bytes', packr.pack([3, 1, 0, 2, new Uint8Array(0)]), 'MALFORMED_MESSAGE'],
      ['fragment id above u32', packr.pack([3, 2 ** 32, 0, 2, new Uint8Array(1)]), 'MALFORMED_MESSAGE']
    ]
    for (const [label, bytes, reason] of hostile) expect(decodeMessage(bytes), label).toEqual({ ok: false, reason })
    for (const [label, v] of HOSTILE_VALUES) expect(decodeMessage(v as Uint8Array), label).toEqual({ ok: false, reason: 'MALFORMED_MESSAGE' })
    // random bytes
    for (let i = 0; i < 2000; i++) {
      const junk = new Uint8Array(1 + (i % 64)).map(() => Math.floor(Math.random() * 256))
      expect(() => decodeMessage(junk)).not.toThrow()
    }
  })

  it('encodeMessage throws for malformed messages of our own', () => {
    expect(() => encodeMessage({ type: MessageType.WANT, from: 5, to: 4 })).toThrow(RangeError)
    expect(() => encodeMessage({ type: MessageType.HAVE, highest: -2 })).toThrow(RangeError)
    expect(() => encodeMessage({ type: MessageType.FRAGMENT, id: 1, index: 2, total: 2, bytes: new Uint8Array(1) })).toThrow(RangeError)
    expect(() => encodeMessage({ type: 7 } as never)).toThrow(TypeError)
    expect(() => encodeMessage(null as never)).toThrow(TypeError)
    expect(() => encodeMessage({ type: MessageType.BLOCK, block: { header: 'x' } } as never)).toThrow(TypeError)
  })
})

describe('fragmentation', () => {
  it('splits a block with a 1 MiB entry into data-channel-sized frames and joins it back in any order', async () => {
    const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 31) & 0xff)
    const [block] = await makeChain(1, { keyPair, value: () => big })
    const encoder = new FrameEncoder()
    const frames = encoder.encode({ type: MessageType.BLOCK, block: block! })
    expect(frames.length).toBeGreaterThan(64)
    for (const f of frames) expect(f.length).toBeLessThanOrEqual(16 * 1024)
    for (const order of [frames, shuffled(frames, 7), frames.slice().reverse()]) {
      const decoder = new FrameDecoder()
      const results = order.map((f) => decoder.receive(f, 0))
      expect(results.every((r) => r.ok)).toBe(true)
      const whole = results.filter((r) => r.ok && r.frame !== undefined)
      expect(whole).toHaveLength(1)
      const r = whole[0]!
      if (!r.ok || r.frame === undefined || r.frame.message.type !== MessageType.BLOCK) throw new Error('no block')
      const checked = await verifyBlock(r.frame.message.block, keyPair.publicKey, nobleEd25519)
      expect(checked.ok).toBe(true)
      const value = decodeEntry(r.frame.message.block.entries[0]!)
      expect(value.ok && Buffer.from(value.value as Uint8Array).equals(Buffer.from(big))).toBe(true)
      expect(decoder.reassembler.pendingMessages).toBe(0)
      expect(decoder.reassembler.heldBytes).toBe(0)
    }
  })

  it('passes small messages through whole, and interleaves two fragmented messages', async () => {
    const encoder = new FrameEncoder({ maxMessageBytes: 1024 })
    const [a] = await makeChain(1, { keyPair, value: () => new Uint8Array(5000).fill(1) })
    const [b] = await makeChain(1, { keyPair: testKeyPair('other'), value: () => new Uint8Array(3000).fill(2) })
    const fa = encoder.encode({ type: MessageType.BLOCK, block: a! })
    const fb = encoder.encode({ type: MessageType.BLOCK, block: b! })
    const small = encoder.encode({ type: MessageType.WANT, from: 0, to: 9 })
    expect(small).toHaveLength(1)
    const decoder = new FrameDecoder()
    const mixed = [...fa.flatMap((f, i) => [f, fb[i]]).filter((f) => f !== undefined), ...small] as Uint8Array[]
    const got = mixed.map((f) => decoder.receive(f, 0)).flatMap((r) => (r.ok && r.frame ? [r.frame.message.type] : []))
    expect(got.sort()).toEqual([MessageType.BLOCK, MessageType.BLOCK, MessageType.WANT].sort())
  })

  it('re-splits received bytes for forwarding with this link’s own ids', async () => {
    const [block] = await makeChain(1, { keyPair, value: () => new Uint8Array(40_000) })
    const upstream = new FrameEncoder()
    const me = new FrameDecoder()
    let bytes: Uint8Array | undefined
    for (const f of upstream.encode({ type: MessageType.BLOCK, block: block! })) {
      const r = me.receive(f, 0)
      if (r.ok && r.frame) bytes = r.frame.bytes
    }
    const downstream = new FrameEncoder()
    downstream.split(new Uint8Array(20_000)) // uses id 0
    const frames = downstream.split(bytes!)
    const child = new FrameDecoder()
    const last = frames.map((f) => child.receive(f, 0)).pop()
    expect(last?.ok && last.frame?.message.type).toBe(MessageType.BLOCK)
  })

  it('rejects an unusable maxMessageBytes', () => {
    expect(() => new FrameEncoder({ maxMessageBytes: 100 })).toThrow(RangeError)
    expect(() => new FrameEncoder({ maxMessageBytes: 1.5e3 + 0.5 })).toThrow(TypeError)
  })
})
