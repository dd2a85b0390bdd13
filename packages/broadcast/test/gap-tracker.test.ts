import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { GapTracker } from '../src/index.js'

describe('GapTracker', () => {
  it('keeps an in-order log as one range', () => {
    const g = new GapTracker()
    for (let i = 0; i < 100_000; i++) g.add(i)
    expect(g.ranges()).toEqual([[0, 99_999]])
    expect(g.contiguousEnd).toBe(100_000)
    expect(g.missing()).toEqual([])
    expect(g.size).toBe(100_000)
  })

  it('tracks gaps, the prefix and announced heights', () => {
    const g = new GapTracker()
    for (const i of [0, 1, 2, 5, 6, 9]) g.add(i)
    expect(g.contiguousEnd).toBe(3)
    expect(g.ranges()).toEqual([[0, 2], [5, 6], [9, 9]])
    expect(g.missing()).toEqual([[3, 4], [7, 8]])
    g.announce(12)
    expect(g.highestSeen).toBe(12)
    expect(g.highestHeld).toBe(9)
    expect(g.missing()).toEqual([[3, 4], [7, 8], [10, 12]])
    expect(g.missing(2)).toEqual([[3, 4], [7, 8]])
    g.add(3)
    g.add(4)
    expect(g.contiguousEnd).toBe(7)
    expect(g.add(4)).toBe(false)
  })

  it('starts the prefix and the gaps at its floor', () => {
    const g = new GapTracker({ floor: 100 })
    expect(g.contiguousEnd).toBe(100)
    g.add(3)
    g.add(101)
    expect(g.contiguousEnd).toBe(100)
    expect(g.missing()).toEqual([[100, 100]])
    g.add(100)
    expect(g.contiguousEnd).toBe(102)
  })

  it('adds and deletes ranges compactly', () => {
    const g = new GapTracker()
    g.addRange(10, 1_000_000)
    g.addRange(0, 4)
    g.addRange(3, 12)
    expect(g.ranges()).toEqual([[0, 1_000_000]])
    expect(g.size).toBe(1_000_001)
    g.delete(500)
    expect(g.ranges()).toEqual([[0, 499], [501, 1_000_000]])
    expect(g.delete(500)).toBe(false)
    expect(g.size).toBe(1_000_000)
  })

  it('rejects bad indices with TypeError/RangeError', () => {
    const g = new GapTracker()
    for (const v of [-1, 1.5, Number.NaN, 2 ** 53, '1', null, undefined, 1n]) {
      expect(() => g.add(v as number)).toThrow()
      expect(() => g.delete(v as number)).toThrow()
    }
    expect(() => g.announce(-2)).toThrow(RangeError)
    expect(() => g.addRange(5, 4)).toThrow(RangeError)
    expect(() => new GapTracker({ floor: -1 })).toThrow(RangeError)
  })

  it('property: behaves like a set of indices', () => {
    type Op = { op: 'add' | 'delete' | 'announce'; i: number } | { op: 'range'; from: number; len: number }
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constantFrom('add', 'delete', 'announce') as fc.Arbitrary<'add' | 'delete' | 'announce'>, i: fc.nat(200) }),
      fc.record({ op: fc.constant('range' as const), from: fc.nat(200), len: fc.nat(20) })
    )
    fc.assert(
      fc.property(fc.nat(50), fc.array(opArb, { maxLength: 300 }), (floor, ops) => {
        const g = new GapTracker({ floor })
        const model = new Set<number>()
        let announced = -1
        for (const o of ops) {
          if (o.op === 'add') {
            expect(g.add(o.i)).toBe(!model.has(o.i))
            model.add(o.i)
          } else if (o.op === 'delete') {
            expect(g.delete(o.i)).toBe(model.has(o.i))
            model.delete(o.i)
          } else if (o.op === 'announce') {
            g.announce(o.i)
            announced = Math.max(announced, o.i)
          } else if (o.op === 'range') {
            g.addRange(o.from, o.from + o.len)
            for (let k = o.from; k <= o.from + o.len; k++) model.add(k)
          }
        }
        const sorted = [...model].sort((a, b) => a - b)
        // ranges: sorted, disjoint, not adjacent, and exactly the model
        const ranges = g.ranges()
        const flat: number[] = []
        for (let r = 0; r < ranges.length; r++) {
          const [from, to] = ranges[r] as [number, number]
          expect(from).toBeLessThanOrEqual(to)
          if (r > 0) expect(from).toBeGreaterThan((ranges[r - 1] as [number, number])[1] + 1)
          for (let k = from; k <= to; k++) flat.push(k)
        }
        expect(flat).toEqual(sorted)
        expect(g.size).toBe(model.size)
        for (let k = 0; k <= 230; k++) expect(g.has(k)).toBe(model.has(k))
        const highestHeld = sorted.length ? (sorted[sorted.length - 1] as number) : -1
        expect(g.highestHeld).toBe(highestHeld)
        const top = Math.max(announced, highestHeld)
        expect(g.highestSeen).toBe(top)
        let end = floor
        while (model.has(end)) end++
        expect(g.contiguousEnd).toBe(end)
        // missing: exactly the indices in [floor, top] not held
        const missing: number[] = []
        for (const [from, to] of g.missing()) for (let k = from; k <= to; k++) missing.push(k)
        const expected: number[] = []
        for (let k = floor; k <= top; k++) if (!model.has(k)) expected.push(k)
        expect(missing).toEqual(expected)
      }),
      { numRuns: 300 }
    )
  })
})
