// The WANT budget of one downstream link, and the token bucket under it: the clock is a number.
import { describe, expect, it } from 'vitest'
import { TokenBucket } from '../src/net/token-bucket.js'
import { WantBudget } from '../src/net/want-budget.js'

const opts = { blocksPerSecond: 100, blockBurst: 200, bytesPerSecond: 10_000, byteBurst: 20_000, refusalsToDrop: 4, refusalWindowMs: 1_000 }

describe('TokenBucket', () => {
  it('starts full, refills at its rate up to the burst, and can go into debt', () => {
    const b = new TokenBucket(10, 20, 0)
    expect(b.take(20, 0)).toBe(true)
    expect(b.take(1, 0)).toBe(false)
    expect(b.take(5, 500)).toBe(true) // 5 tokens came back in half a second
    expect(b.available(100_000)).toBe(20) // never above the burst
    b.charge(50, 100_000)
    expect(b.available(100_000)).toBe(-30)
    expect(b.take(1, 102_000)).toBe(false) // 20 back, still 10 in debt
    expect(b.take(1, 104_100)).toBe(true)
  })
})

describe('WantBudget', () => {
  it('grants an honest pace and refuses a flood, then drops the link after N refusals within the window', () => {
    const budget = new WantBudget(0, opts)
    for (let i = 0; i < 3; i++) expect(budget.ask(64, 0)).toBe('granted') // 192 of a 200 burst
    expect(budget.ask(64, 0)).toBe('refused')
    expect(budget.ask(64, 0)).toBe('refused')
    expect(budget.ask(64, 0)).toBe('refused')
    expect(budget.ask(64, 0)).toBe('drop')
    expect(budget.granted).toBe(3)
    expect(budget.refused).toBe(4)
  })

  it('forgives refusals spread wider than the window', () => {
    const budget = new WantBudget(0, opts)
    let t = 0
    for (let i = 0; i < 20; i++) {
      t += 1_200
      budget.refuse(t)
      expect(budget.refuse(t + 1)).toBe('refused') // 2 within any window, never 4
    }
  })

  it('a WANT for nothing still costs one block; bytes in debt refuse until paid back', () => {
    const budget = new WantBudget(0, opts)
    for (let i = 0; i < 200; i++) expect(budget.ask(0, 0)).toBe('granted')
    expect(budget.ask(0, 0)).toBe('refused')
    const b2 = new WantBudget(0, opts)
    b2.sent(30_000, 0) // one big answer: 10,000 bytes of debt
    expect(b2.ask(1, 0)).toBe('refused')
    expect(b2.ask(1, 1_001)).toBe('granted')
  })
})
