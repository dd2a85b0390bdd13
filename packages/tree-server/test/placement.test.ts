import { describe, expect, test } from 'vitest'
import { choosePlacement } from '../src/placement.js'
import { getMember, setDetached, subtree } from '../src/tree-state.js'
import { depth, join, newState, parentOf, testEnv } from './helpers/pure-tree.js'

describe('choosePlacement', () => {
  test('an empty tree places under the source', () => {
    expect(choosePlacement(newState(2, 3))).toBe('src')
  })

  test('the source takes k1 children, then members fill level by level in join order (the order of the original)', () => {
    const s = newState(2, 4)
    const env = testEnv()
    for (let i = 0; i < 14; i++) join(s, `p${i}`, env)
    expect(getMember(s, 'src')?.children).toEqual(['p0', 'p1', 'p2', 'p3'])
    expect(getMember(s, 'p0')?.children).toEqual(['p4', 'p5'])
    expect(getMember(s, 'p1')?.children).toEqual(['p6', 'p7'])
    expect(getMember(s, 'p3')?.children).toEqual(['p10', 'p11'])
    expect(getMember(s, 'p4')?.children).toEqual(['p12', 'p13'])
  })

  test('k=2, k1=3, 20 joins: every depth is breadth-first optimal (levels of 3, 6, 12)', () => {
    const s = newState(2, 3)
    const env = testEnv()
    for (let i = 0; i < 20; i++) join(s, `p${i}`, env)
    const depths = Array.from({ length: 20 }, (_, i) => depth(s, `p${i}`))
    expect(depths).toEqual([...Array(3).fill(1), ...Array(6).fill(2), ...Array(11).fill(3)])
  })

  test('k1 is honoured when it is smaller than k (the original allowed max(k1, k))', () => {
    const s = newState(3, 1)
    const env = testEnv()
    for (let i = 0; i < 5; i++) join(s, `p${i}`, env)
    expect(getMember(s, 'src')?.children).toEqual(['p0'])
    expect(getMember(s, 'p0')?.children).toEqual(['p1', 'p2', 'p3'])
    expect(parentOf(s, 'p4')).toBe('p1')
  })

  test('the shallowest free slot wins over an earlier but deeper one', () => {
    const s = newState(2, 2)
    const env = testEnv()
    for (let i = 0; i < 4; i++) join(s, `p${i}`, env) // src[p0[p2 p3] p1]
    expect(choosePlacement(s)).toBe('p1')
  })

  test('leaf members take children only when no relay or source has a free slot', () => {
    const s = newState(1, 1)
    const env = testEnv()
    join(s, 'leaf', env, 'leaf') // under the source
    join(s, 'leaf2', env, 'leaf') // the source is full and the leaf is not a relay: the leaf is the fallback
    expect(parentOf(s, 'leaf2')).toBe('leaf')
    join(s, 'relay', env) // takes the leaf's slot under the source (relay-first.test.ts)
    join(s, 'next', env, 'leaf') // the leaf has no free slot now, the relay does not either: the fallback again
    expect(parentOf(s, 'next')).toBe('leaf2')
  })

  test('a leaf is skipped for a deeper relay', () => {
    const s = newState(1, 2)
    const env = testEnv()
    join(s, 'leaf', env, 'leaf')
    join(s, 'relay', env) // src[leaf relay]
    expect(choosePlacement(s)).toBe('relay')
  })

  test('members whose socket is gone take no new children', () => {
    const s = newState(2, 1)
    const env = testEnv()
    join(s, 'a', env)
    join(s, 'b', env) // src[a[b]]
    setDetached(s, 'a', true)
    expect(choosePlacement(s)).toBe('b')
  })

  test('never inside the excluded subtree', () => {
    const s = newState(2, 1)
    const env = testEnv()
    for (const id of ['a', 'b', 'c']) join(s, id, env) // src[a[b c]]
    expect(choosePlacement(s)).toBe('b')
    expect(choosePlacement(s, { exclude: subtree(s, 'a') })).toBeNull()
    expect(choosePlacement(s, { exclude: subtree(s, 'b') })).toBe('c')
  })

  test('the avoided parent is chosen only when nothing else fits', () => {
    const s = newState(2, 2)
    const env = testEnv()
    join(s, 'a', env)
    expect(choosePlacement(s, { avoid: 'src' })).toBe('a')
    const t = newState(2, 2)
    expect(choosePlacement(t, { avoid: 'src' })).toBe('src')
  })

  test('no eligible member at all: null', () => {
    const s = newState(2, 2)
    setDetached(s, 'src', true)
    expect(choosePlacement(s)).toBeNull()
  })
})
