// RelayWants: what children wait for, asked further up once per retry period.
import { describe, expect, it } from 'vitest'
import { RelayWants, runs } from '../src/net/relay-wants.js'

describe('RelayWants', () => {
  it('asks further up once per retry period for what children wait for, and knows what it asked for', () => {
    const r = new RelayWants<string>({ maxWaits: 100, maxWaitsPerLink: 100, ttlMs: 4_000, retryMs: 1_000 })
    expect(r.want('a', [1, 2, 3, 7], 0)).toEqual([[1, 3], [7, 7]])
    expect(r.want('b', [2, 3, 4], 10)).toEqual([[4, 4]]) // 2 and 3 are asked already
    expect(r.has(2)).toBe(true)
    expect(r.arrived(2).sort()).toEqual(['a', 'b'])
    expect(r.want('a', [1, 3], 1_001)).toEqual([[1, 1], [3, 3]]) // asked again after the retry period
    expect(r.asked).toBeLessThanOrEqual(4)
  })

  it('runs() joins consecutive indices', () => {
    expect(runs([1, 2, 3, 5, 8, 9])).toEqual([[1, 3], [5, 5], [8, 9]])
  })
})
