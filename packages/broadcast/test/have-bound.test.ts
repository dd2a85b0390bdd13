// HaveBound: a HAVE is believed only within CLAIM_WINDOW of what was verified, and must be backed.
import { describe, expect, it } from 'vitest'
import { HaveBound } from '../src/net/have-bound.js'

describe('HaveBound', () => {
  it('believes a far-future claim only up to verified + window', () => {
    const b = new HaveBound<string>(512, 5_000)
    expect(b.claim('attacker', 1e12, 0)).toBe(511)
    b.verify(100)
    expect(b.top(1)).toBe(612)
    expect(b.of('attacker')).toBe(612)
  })

  it('refutes a claim whose window is not verified in time, and believes that link no more', () => {
    const b = new HaveBound<string>(512, 5_000)
    b.verify(10)
    b.claim('attacker', 1e12, 0)
    b.verify(20) // live blocks arrive, but nowhere near the 522 the claim vouched for
    expect(b.top(4_999)).toBe(532)
    expect(b.top(5_000)).toBe(20)
    expect(b.refuted).toBe(1)
    expect(b.claim('attacker', 2e12, 6_000)).toBe(20)
    expect(b.top(6_000)).toBe(20)
  })

  it('an honest claim of a long history stands while each window is reached in time', () => {
    const b = new HaveBound<string>(512, 5_000)
    expect(b.claim('source', 10_000, 0)).toBe(511)
    let t = 0
    for (let v = 511; v < 10_000; v += 512) {
      t += 4_000 // each window of 512 blocks fetched within 4 s
      b.verify(v)
      expect(b.top(t)).toBe(Math.min(10_000, v + 512))
    }
    b.verify(10_000)
    expect(b.top(t + 60_000)).toBe(10_000)
    expect(b.refuted).toBe(0)
  })

  it('a claim goes with its link', () => {
    const b = new HaveBound<string>(512, 5_000)
    b.claim('x', 50, 0)
    expect(b.top(0)).toBe(50)
    b.forget('x')
    expect(b.top(0)).toBe(-1)
  })
})
