import { describe, expect, test } from 'vitest'
import { newLiveness, observe } from '../src/liveness.js'
import { FENCED, RETIRED } from '../src/presence/presence.js'

describe('liveness: which other processes are dead', () => {
  test('a process whose count stops moving is dead after deadAfterMs of good reads; this process never is', () => {
    const s = newLiveness('me', 300)
    expect(observe(s, { me: 1, a: 1 }, 0)).toEqual([])
    expect(observe(s, { me: 2, a: 2 }, 100)).toEqual([])
    expect(observe(s, { me: 3, a: 2 }, 200)).toEqual([])
    expect(observe(s, { me: 4, a: 2 }, 399)).toEqual([])
    expect(observe(s, { me: 5, a: 2 }, 400)).toEqual([{ processID: 'a', count: 2 }])
    expect(observe(s, { me: 1000, a: 2 }, 10_000)).toEqual([{ processID: 'a', count: 2 }])
  })

  test('a count that moves again brings it back to life', () => {
    const s = newLiveness('me', 300)
    observe(s, { a: 1 }, 0)
    expect(observe(s, { a: 1 }, 300)).toHaveLength(1)
    expect(observe(s, { a: 2 }, 310)).toEqual([])
    expect(observe(s, { a: 2 }, 609)).toEqual([])
  })

  test('a failed read restarts every clock: an outage in which nobody could beat kills nobody', () => {
    const s = newLiveness('me', 300)
    observe(s, { a: 5, b: 7 }, 0)
    expect(observe(s, null, 100)).toEqual([])
    expect(observe(s, null, 5_000)).toEqual([])
    // Back after the outage: the counts did not move (nobody could beat), and still nobody is
    // dead; everyone gets twice the dead time (their own connections may come back later).
    expect(observe(s, { a: 5, b: 7 }, 5_100)).toEqual([])
    expect(observe(s, { a: 6, b: 7 }, 5_300)).toEqual([])
    expect(observe(s, { a: 7, b: 7 }, 5_699)).toEqual([])
    expect(observe(s, { a: 8, b: 7 }, 5_700)).toEqual([{ processID: 'b', count: 7 }])
  })

  test('a retired or fenced process is dead at once; one that left the table is forgotten', () => {
    const s = newLiveness('me', 300)
    expect(observe(s, { a: RETIRED, b: 3, c: FENCED }, 0)).toEqual([{ processID: 'a', count: RETIRED }, { processID: 'c', count: FENCED }])
    expect(observe(s, { b: 3 }, 100)).toEqual([])
    expect(Object.keys(s.seen)).toEqual(['b'])
  })

  test('process IDs are plain keys, prototype names included', () => {
    const s = newLiveness('me', 10)
    const table = JSON.parse('{"__proto__": 1, "constructor": 1}') as Record<string, number>
    observe(s, table, 0)
    expect(observe(s, table, 10).map((d) => d.processID).sort()).toEqual(['__proto__', 'constructor'])
  })
})
