// PendingWants: who waits for which block; bounded in all and per link, expiry visits only what expired.
import { describe, expect, it } from 'vitest'
import { PendingWants } from '../src/net/pending-wants.js'

describe('PendingWants', () => {
  it('hands each block to its waiters once, and forgets a closed link', () => {
    const p = new PendingWants<string>(100, 1_000)
    p.add(5, 'a', 0); p.add(5, 'b', 0); p.add(6, 'a', 0); p.add(5, 'a', 1)
    expect(p.size).toBe(3)
    expect(p.take(5).sort()).toEqual(['a', 'b'])
    expect(p.take(5)).toEqual([])
    p.drop('a')
    expect(p.size).toBe(0)
    expect(p.has(6)).toBe(false)
  })

  it('caps the waits of one link, so one peer cannot fill the table for the others', () => {
    const p = new PendingWants<string>(100, 1_000, 10)
    let accepted = 0
    for (let i = 0; i < 1_000; i++) if (p.add(i, 'hostile', 0)) accepted++
    expect(accepted).toBe(10)
    expect(p.add(0, 'honest', 0)).toBe(true)
    expect(p.sizeOf('hostile')).toBe(10)
  })

  it('expires the oldest first and stops at the first that has not expired', () => {
    const p = new PendingWants<string>(10, 100)
    for (let i = 0; i < 10; i++) p.add(i, 'a', i * 10)
    expect(p.add(99, 'b', 50)).toBe(false) // full, nothing expired yet
    p.expire(149) // waits made at 0..40 are >= 100 ms old
    expect(p.size).toBe(5)
    expect(p.add(99, 'b', 149)).toBe(true)
    expect(p.has(0)).toBe(false)
    expect(p.has(5)).toBe(true)
  })

  it('100,000 waits: half expire at once, the rest go with their links', () => {
    const p = new PendingWants<number>(200_000, 1_000, 1_000)
    for (let i = 0; i < 100_000; i++) p.add(i, i % 100, Math.floor(i / 100)) // the clock only moves on
    expect(p.size).toBe(100_000)
    p.expire(1_499) // the waits made at 0..499 ms: half of them
    expect(p.size).toBe(50_000)
    for (let l = 0; l < 100; l++) p.drop(l)
    expect(p.size).toBe(0)
  })
})
