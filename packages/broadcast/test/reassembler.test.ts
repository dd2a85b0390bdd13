import fc from 'fast-check'
import { Packr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { encodeMessage, FrameDecoder, MessageType, Reassembler, type FragmentMessage } from '../src/index.js'

const frag = (id: number, index: number, total: number, size = 100): FragmentMessage => ({
  type: MessageType.FRAGMENT,
  id,
  index,
  total,
  bytes: new Uint8Array(size).fill(index)
})

describe('Reassembler under hostile fragments', () => {
  it('caps unfinished messages, evicting the oldest', () => {
    const r = new Reassembler({ maxPendingMessages: 4 })
    for (let id = 0; id < 1000; id++) expect(r.push(frag(id, 0, 2), 0).ok).toBe(true)
    expect(r.pendingMessages).toBe(4)
    expect(r.stats.evicted).toBe(996)
    // the newest can still complete
    expect(r.push(frag(999, 1, 2), 0)).toMatchObject({ ok: true, done: true })
  })

  it('caps the bytes held, and refuses a message over the size cap', () => {
    const r = new Reassembler({ maxPendingBytes: 10_000, maxMessageBytes: 6_000 })
    for (let id = 0; id < 50; id++) r.push(frag(id, 0, 3, 1000), 0)
    expect(r.heldBytes).toBeLessThanOrEqual(10_000)
    const big = new Reassembler({ maxMessageBytes: 2_500 })
    expect(big.push(frag(1, 0, 5, 1000), 0).ok).toBe(true)
    expect(big.push(frag(1, 1, 5, 1000), 0).ok).toBe(true)
    expect(big.push(frag(1, 2, 5, 1000), 0)).toEqual({ ok: false, reason: 'MESSAGE_TOO_LARGE' })
    expect(big.pendingMessages).toBe(0)
    expect(big.heldBytes).toBe(0)
  })

  it('drops unfinished messages after the timeout', () => {
    const r = new Reassembler({ timeoutMs: 1000 })
    r.push(frag(1, 0, 2), 0)
    r.push(frag(2, 0, 2), 500)
    r.push(frag(3, 0, 2), 1200)
    expect(r.pendingMessages).toBe(2)
    expect(r.stats.expired).toBe(1)
    r.expire(10_000)
    expect(r.pendingMessages).toBe(0)
    expect(r.heldBytes).toBe(0)
  })

  it('rejects conflicting totals, duplicates and impossible fragments', () => {
    const r = new Reassembler({ maxFragments: 100 })
    r.push(frag(1, 0, 3), 0)
    expect(r.push(frag(1, 0, 3), 0)).toEqual({ ok: false, reason: 'FRAGMENT_DUPLICATE' })
    expect(r.push(frag(1, 1, 4), 0)).toEqual({ ok: false, reason: 'FRAGMENT_CONFLICT' })
    expect(r.pendingMessages).toBe(0)
    expect(r.push(frag(2, 0, 101), 0)).toEqual({ ok: false, reason: 'FRAGMENT_INVALID' })
    expect(r.push(frag(2, 5, 5), 0)).toEqual({ ok: false, reason: 'FRAGMENT_INVALID' })
    expect(r.push(frag(2, 0, 1), 0)).toEqual({ ok: false, reason: 'FRAGMENT_INVALID' })
    expect(r.push(frag(2, 0, 2, 0), 0)).toEqual({ ok: false, reason: 'FRAGMENT_INVALID' })
  })

  it('does not let a small piece pin a large received frame', () => {
    // A frame carrying a 1-byte piece plus 16 KB of ignored trailing junk.
    const packr = new Packr({ useRecords: false })
    const frame = packr.pack([MessageType.FRAGMENT, 1, 0, 2, new Uint8Array([7]), new Uint8Array(16_000)])
    const d = new FrameDecoder()
    expect(d.receive(frame, 0)).toEqual({ ok: true, frame: undefined })
    expect(d.reassembler.heldBytes).toBe(1)
  })

  it('what it retains is bounded in bytes when pieces are views into large Node Buffers', () => {
    // Each piece is a 1,000-byte window of a 64 KiB Buffer: a view would keep the 64 KiB.
    const caps = { maxPendingMessages: 1000, maxPendingBytes: 50_000 }
    const r = new Reassembler(caps)
    for (let id = 0; id < 200; id++) {
      const big = Buffer.alloc(64 * 1024, id)
      r.push({ type: MessageType.FRAGMENT, id, index: 0, total: 2, bytes: big.subarray(1000, 2000) }, 0)
      expect(r.retainedBytes).toBeLessThanOrEqual(caps.maxPendingBytes)
    }
    expect(r.pendingMessages).toBe(50)
    expect(r.retainedBytes).toBe(r.heldBytes)
  })

  it('what it retains is bounded in bytes when frames are Buffers carrying junk past the piece', () => {
    // What a data channel delivers in Node: a Buffer per frame; decoding hands out views into it.
    const packr = new Packr({ useRecords: false })
    const caps = { maxPendingMessages: 1000, maxPendingBytes: 50_000 }
    const d = new FrameDecoder(caps)
    for (let id = 0; id < 200; id++) {
      const frame = Buffer.from(packr.pack([MessageType.FRAGMENT, id, 0, 2, new Uint8Array(1000).fill(1), new Uint8Array(60_000)]))
      expect(d.receive(frame, 0)).toEqual({ ok: true, frame: undefined })
      expect(d.reassembler.retainedBytes).toBeLessThanOrEqual(caps.maxPendingBytes)
    }
    expect(d.reassembler.retainedBytes).toBe(50_000)
  })

  it('refuses a reassembled fragment (no nesting)', () => {
    const inner = encodeMessage(frag(9, 0, 2))
    const d = new FrameDecoder()
    const half = Math.ceil(inner.length / 2)
    d.receive(encodeMessage({ type: MessageType.FRAGMENT, id: 1, index: 0, total: 2, bytes: inner.subarray(0, half) }), 0)
    const r = d.receive(encodeMessage({ type: MessageType.FRAGMENT, id: 1, index: 1, total: 2, bytes: inner.subarray(half) }), 0)
    expect(r).toEqual({ ok: false, reason: 'NESTED_FRAGMENT' })
  })

  it('property: whatever a peer sends, memory stays within the caps and nothing throws', () => {
    const caps = { maxPendingMessages: 8, maxPendingBytes: 50_000, maxMessageBytes: 20_000, maxFragments: 64, timeoutMs: 100 }
    const arb = fc.array(
      fc.record({ id: fc.nat(20), index: fc.nat(70), total: fc.integer({ min: 0, max: 70 }), size: fc.nat(9000), dt: fc.nat(30) }),
      { maxLength: 400 }
    )
    fc.assert(
      fc.property(arb, (frags) => {
        const r = new Reassembler(caps)
        let now = 0
        for (const f of frags) {
          now += f.dt
          const res = r.push({ type: MessageType.FRAGMENT, id: f.id, index: f.index, total: f.total, bytes: new Uint8Array(f.size) }, now)
          if (res.ok && res.done) expect(res.bytes.length).toBeLessThanOrEqual(caps.maxMessageBytes)
          expect(r.pendingMessages).toBeLessThanOrEqual(caps.maxPendingMessages)
          expect(r.heldBytes).toBeLessThanOrEqual(caps.maxPendingBytes)
        }
      }),
      { numRuns: 300 }
    )
  })

  it('rejects bad options', () => {
    expect(() => new Reassembler({ maxPendingMessages: 0 })).toThrow(RangeError)
    expect(() => new Reassembler({ maxFragments: 1 })).toThrow(RangeError)
    expect(() => new Reassembler({ timeoutMs: -1 })).toThrow(RangeError)
  })
})
