/** The in-memory link pair: order, back-pressure and close, as an ordered data channel. */
import { describe, expect, test } from 'vitest'
import { memoryLinkPair } from '../../src/net/memory-link.js'

const bytes = (n: number, fill = 0): Uint8Array => new Uint8Array(n).fill(fill)

describe('memoryLinkPair', () => {
  test('messages arrive in the order sent, even when the later one is carried faster', () => {
    const arrivals: Array<() => void> = []
    const [a, b] = memoryLinkPair({ carryForward: (_b, _left, arrived) => { arrivals.push(arrived) } })
    const got: number[] = []
    b.bind({ message: (m) => got.push(m[0] as number), drain () {}, close () {} })
    a.send(bytes(1, 1))
    a.send(bytes(1, 2))
    arrivals[1]!()
    expect(got).toEqual([])
    arrivals[0]!()
    expect(got).toEqual([1, 2])
  })

  test('bufferedAmount counts what has not left, and drain fires when it falls to the low-water mark', () => {
    const lefts: Array<() => void> = []
    const [a] = memoryLinkPair({ lowWater: 10, carryForward: (_b, left) => { lefts.push(left) } })
    let drains = 0
    a.bind({ message () {}, drain: () => { drains++ }, close () {} })
    a.send(bytes(8))
    a.send(bytes(8))
    expect(a.bufferedAmount).toBe(16)
    lefts[0]!()
    expect(a.bufferedAmount).toBe(8)
    expect(drains).toBe(1)
    lefts[1]!()
    expect(drains).toBe(1)
  })

  test('what arrives before bind waits for it; a close reaches the other end, and sends after it throw', async () => {
    const [a, b] = memoryLinkPair()
    a.send(bytes(2, 7))
    await Promise.resolve()
    const got: number[] = []
    let closed = 0
    b.bind({ message: (m) => got.push(m[0] as number), drain () {}, close: () => { closed++ } })
    expect(got).toEqual([7])
    a.close()
    expect(a.writable).toBe(false)
    expect(() => a.send(bytes(1))).toThrow()
    await Promise.resolve()
    expect(closed).toBe(1)
    expect(b.closed).toBe(true)
  })
})
