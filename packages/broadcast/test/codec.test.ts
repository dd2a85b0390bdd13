import { describe, expect, it } from 'vitest'
import { BroadcastError, decodeEntry, encodeEntry } from '../src/index.js'

describe('entry codec', () => {
  it('round-trips msgpack values, binary stays binary', () => {
    const values: unknown[] = [0, -1, 2 ** 40, 1.5, 'text', '', true, null, [1, 'a', [2]], { a: 1, b: { c: 'd' } }, new Date(0)]
    for (const v of values) expect(decodeEntry(encodeEntry(v))).toEqual({ ok: true, value: v })
    const bin = new Uint8Array([0, 1, 2, 255])
    const r = decodeEntry(encodeEntry(bin))
    expect(r.ok).toBe(true)
    expect(r.ok && r.value instanceof Uint8Array && [...r.value]).toEqual([0, 1, 2, 255])
  })

  it('writes standard msgpack (no msgpackr records)', () => {
    expect(Buffer.from(encodeEntry({ a: 1 })).toString('hex')).toBe('81a16101')
    expect(Buffer.from(encodeEntry(new Uint8Array([9]))).toString('hex')).toBe('c40109')
  })

  it('copies binary out of the entry bytes on decode', () => {
    const bytes = encodeEntry({ data: new Uint8Array(1000).fill(3) })
    const r = decodeEntry(bytes)
    const data = (r as { value: { data: Uint8Array } }).value.data
    expect(data.buffer).not.toBe(bytes.buffer)
    bytes.fill(0)
    expect(data[0]).toBe(3)
  })

  it('decode answers malformed bytes with a value', () => {
    for (const bad of [new Uint8Array(0), new Uint8Array([0x92, 0x01]), new Uint8Array([0x01, 0x02]), 'x' as never, null as never]) {
      expect(decodeEntry(bad)).toEqual({ ok: false, reason: 'MALFORMED_ENTRY' })
    }
  })

  it('encode throws ENCODE_FAILED for values msgpack cannot carry', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    for (const v of [Symbol('s'), cyclic]) {
      try {
        encodeEntry(v)
        expect.unreachable(`encoded ${String(v)}`)
      } catch (err) {
        expect(err).toBeInstanceOf(BroadcastError)
        expect((err as BroadcastError).code).toBe('ENCODE_FAILED')
        expect((err as BroadcastError).cause).toBeDefined()
      }
    }
  })
})
