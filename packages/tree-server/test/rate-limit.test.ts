import { expect, test } from 'vitest'
import { TokenBucket } from '../src/rate-limit.js'

test('a bucket allows its burst, then its rate, on a test clock', () => {
  let now = 1000
  const b = new TokenBucket(2, 4, () => now)
  expect([b.take(), b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, true, false])
  now += 500 // one token at 2/s
  expect([b.take(), b.take()]).toEqual([true, false])
  now += 10_000 // refills only up to the burst
  expect(Array.from({ length: 5 }, () => b.take())).toEqual([true, true, true, true, false])
})

test('a clock going backwards refills nothing', () => {
  let now = 1000
  const b = new TokenBucket(1, 1, () => now)
  expect(b.take()).toBe(true)
  now = 0
  expect(b.take()).toBe(false)
})

test('an infinite rate never refuses', () => {
  const b = new TokenBucket(Infinity, Infinity, () => 0)
  for (let i = 0; i < 1000; i++) expect(b.take()).toBe(true)
})
