import { describe, expect, test } from 'vitest'
import { BackfillPlanner } from '../src/net/backfill-planner.js'
import { PendingWants } from '../src/net/pending-wants.js'
import { chooseHomeTree } from '../src/net/lookup.js'

const opts = { gapGraceMs: 100, wantTimeoutMs: 1000, wantBatch: 4, maxInFlight: 16 }
const ups = [{ link: 'a', tree: 0, highest: 20 }, { link: 'b', tree: 1, highest: 20 }]

describe('BackfillPlanner', () => {
  test('a fresh gap waits out the grace while some tree has not passed it', () => {
    const p = new BackfillPlanner<string>(opts)
    p.noteHighest(10, 0)
    expect(p.plan(50, [[5, 6]], ups, [10, 4])).toEqual([])
    const plans = p.plan(100, [[5, 6]], ups, [10, 4])
    expect(plans).toHaveLength(1)
    expect(plans[0]).toMatchObject({ from: 5, to: 6 })
  })

  test('a gap every attached tree has passed is asked for at once', () => {
    const p = new BackfillPlanner<string>(opts)
    p.noteHighest(10, 0)
    expect(p.plan(1, [[5, 6]], ups, [10, 8])).toEqual([expect.objectContaining({ from: 5, to: 6 })])
  })

  test('history below historyEnd is asked for at once, in batches, within maxInFlight', () => {
    const p = new BackfillPlanner<string>(opts)
    p.historyEnd = 100
    const plans = p.plan(0, [[0, 99]], ups, [100])
    expect(plans.map((w) => [w.from, w.to])).toEqual([[0, 3], [4, 7], [8, 11], [12, 15]])
    expect(p.inFlight).toBe(16)
    expect(p.plan(1, [[0, 99]], ups, [100])).toEqual([]) // all still in flight
  })

  test('an unanswered WANT is asked again elsewhere after the timeout', () => {
    const p = new BackfillPlanner<string>(opts)
    p.historyEnd = 2
    const [first] = p.plan(0, [[0, 1]], ups, [5])
    const [second] = p.plan(1000, [[0, 1]], ups, [5])
    expect(first?.link).toBeDefined()
    expect(second?.link).not.toBe(first?.link)
  })

  test('received blocks and closed links leave the in-flight set', () => {
    const p = new BackfillPlanner<string>(opts)
    p.historyEnd = 4
    const plans = p.plan(0, [[0, 3]], [ups[0] as typeof ups[0]], [5])
    expect(plans).toEqual([{ link: 'a', from: 0, to: 3 }])
    p.received(0)
    expect(p.inFlight).toBe(3)
    p.linkGone('a')
    expect(p.inFlight).toBe(0)
  })

  test('prefers an upstream that announced the block', () => {
    const p = new BackfillPlanner<string>(opts)
    p.historyEnd = 30
    const plans = p.plan(0, [[25, 26]], [{ link: 'low', tree: 0, highest: 10 }, { link: 'high', tree: 1, highest: 30 }], [30])
    expect(plans).toEqual([{ link: 'high', from: 25, to: 26 }])
  })

  test('no upstream, no plan', () => {
    const p = new BackfillPlanner<string>(opts)
    p.historyEnd = 5
    expect(p.plan(0, [[0, 4]], [], [])).toEqual([])
  })
})

describe('PendingWants', () => {
  test('waiters are served once, dropped with their link, bounded and expired', () => {
    const w = new PendingWants<string>(3, 100)
    expect(w.add(1, 'x', 0)).toBe(true)
    expect(w.add(1, 'y', 0)).toBe(true)
    expect(w.add(1, 'y', 0)).toBe(true)
    expect(w.add(2, 'x', 50)).toBe(true)
    expect(w.add(3, 'x', 50)).toBe(false)
    expect(w.add(3, 'x', 100)).toBe(true) // the two waits from t=0 expired
    expect(w.take(1)).toEqual([])
    w.drop('x')
    expect(w.size).toBe(0)
    w.add(4, 'z', 0)
    expect(w.take(4)).toEqual(['z'])
    expect(w.take(4)).toEqual([])
  })
})

describe('chooseHomeTree', () => {
  test('relays where relays are fewest, at random among ties; at random without counts', () => {
    expect(chooseHomeTree(3, [4, 2, 3], () => 0.99)).toBe(1)
    expect(chooseHomeTree(3, [1, 0, 0], () => 0)).toBe(1)
    expect(chooseHomeTree(3, [1, 0, 0], () => 0.99)).toBe(2)
    expect(chooseHomeTree(3, [], () => 0.5)).toBe(1)
    expect(chooseHomeTree(2, [5], () => 0)).toBe(0)
  })
})
