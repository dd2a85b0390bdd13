import { describe, expect, test } from 'vitest'
import { choosePullUp, chooseRelayPlacement } from '../src/relay-first.js'
import { joinTx, leaveTx, reconnectTx } from '../src/transitions.js'
import { getMember, setDetached } from '../src/tree-state.js'
import type { TreeState } from '../src/tree-state.js'
import { depth, join, newState, parentOf, problems, testEnv } from './helpers/pure-tree.js'

function children (s: TreeState, id: string): string[] | undefined {
  return getMember(s, id)?.children
}

function session (s: TreeState, id: string): string | null | undefined {
  return getMember(s, id)?.session
}

describe('relay-first placement', () => {
  test('a relay takes the slot a leaf holds under the source; the leaf moves under it, told why', () => {
    const s = newState(2, 2)
    const env = testEnv()
    join(s, 'a', env, 'leaf')
    join(s, 'b', env, 'leaf') // src[a b]: the leaves came first
    const bLink = session(s, 'b')
    expect(chooseRelayPlacement(s)).toEqual({ parent: 'src', displace: 'b' })
    const out = joinTx(s, { peerID: 'r', role: 'relay', token: 'r.x', maxPeers: 100 }, env).result
    expect(out.change.out).toEqual([
      { to: 'src', event: 'peer:unlink', payload: { treeID: 't', session: bLink } },
      { to: 'src', event: 'peer:child', payload: { treeID: 't', session: 's3', child: 'r' } },
      { to: 'r', event: 'tree:discover', payload: { treeID: 't', peerID: 'r', parent: 'src', session: 's3', token: 'r.x', reason: 'join' } },
      { to: 'r', event: 'peer:child', payload: { treeID: 't', session: 's4', child: 'b' } },
      { to: 'b', event: 'tree:discover', payload: { treeID: 't', peerID: 'b', parent: 'r', session: 's4', token: 'b.x', reason: 'moved' } }
    ])
    expect(children(s, 'src')).toEqual(['a', 'r'])
    expect(children(s, 'r')).toEqual(['b'])
    expect(problems(s)).toEqual([])
  })

  test('a free slot as shallow as a leaf-held one is taken first: nobody moves', () => {
    const s = newState(2, 2)
    const env = testEnv()
    join(s, 'a', env, 'leaf')
    const out = join(s, 'r', env)
    expect(out.change.out.map((o) => `${o.event}>${o.to}`)).toEqual(['peer:child>src', 'tree:discover>r'])
    expect(children(s, 'src')).toEqual(['a', 'r'])
  })

  test('a leaf-held slot shallower than every free one is taken; the leaf goes to the shallowest free slot', () => {
    const s = newState(2, 2)
    const env = testEnv()
    join(s, 'r1', env)
    join(s, 'a', env, 'leaf') // src[r1 a]: the only free slots are r1's, one level down
    join(s, 'r2', env)
    expect(children(s, 'src')).toEqual(['r1', 'r2'])
    expect(parentOf(s, 'a')).toBe('r1') // as shallow as under r2, and first in breadth-first order
    expect([depth(s, 'r1'), depth(s, 'r2'), depth(s, 'a')]).toEqual([1, 1, 2])
  })

  test('the leaf that moves is one without children if there is one, else it takes its subtree along', () => {
    const s = newState(1, 2)
    const env = testEnv()
    for (const id of ['a', 'b', 'c', 'd']) join(s, id, env, 'leaf') // src[a[c] b[d]]: leaves took children (no relay anywhere)
    expect(children(s, 'a')).toEqual(['c'])
    join(s, 'r1', env) // takes b's slot (the last leaf child), b goes under r1 with d
    expect(children(s, 'src')).toEqual(['a', 'r1'])
    expect(children(s, 'r1')).toEqual(['b'])
    expect(children(s, 'b')).toEqual(['d'])
    expect(problems(s)).toEqual([])
    const t = newState(1, 2)
    for (const id of ['a', 'b']) join(t, id, env, 'leaf')
    join(t, 'c', env, 'leaf') // src[a[c] b]
    join(t, 'r', env) // b has no children: b moves, a keeps its place and c
    expect(children(t, 'src')).toEqual(['a', 'r'])
    expect(children(t, 'r')).toEqual(['b'])
  })

  test('leaves never displace anyone, and a detached relay keeps its leaf children', () => {
    const s = newState(1, 1)
    const env = testEnv()
    join(s, 'r', env)
    join(s, 'a', env, 'leaf') // src[r[a]]
    const before = JSON.stringify(s)
    expect(joinTx(s, { peerID: 'b', role: 'leaf', token: 'b.x', maxPeers: 100 }, env).result.change.out.map((o) => o.event)).toEqual(['peer:child', 'tree:discover'])
    expect(parentOf(s, 'b')).toBe('a') // the fallback: a leaf under a leaf, nobody moved
    expect(JSON.parse(before).members.a.parent).toBe('r')
    setDetached(s, 'r', true)
    expect(chooseRelayPlacement(s)).toEqual({ parent: 'b', displace: null }) // the fallback, not r's leaf slot
  })

  test('an orphaned relay takes a leaf slot too, and a reconnecting relay avoids its old parent', () => {
    const s = newState(2, 2)
    const env = testEnv()
    for (const id of ['r1', 'r2']) join(s, id, env)
    for (const id of ['a', 'b', 'c', 'd']) join(s, id, env, 'leaf') // src[r1[a c] r2[b d]]
    join(s, 'r3', env) // no relay room at depth 1: takes a leaf slot under r1
    expect(parentOf(s, 'r3')).toBe('r1')
    const out = leaveTx(s, { peerID: 'r1', epoch: 0 }, env).result // r3 takes r1's slot first; r1's leaf child a goes under r3
    expect(parentOf(s, 'r3')).toBe('src')
    expect(parentOf(s, 'a')).toBe('r3')
    expect(out.change.out.filter((o) => o.event === 'tree:discover').map((o) => o.event === 'tree:discover' && `${o.to}:${o.payload.reason}`)).toEqual(['r3:parent-left', 'a:parent-left'])
    expect(problems(s)).toEqual([])
    const r2Link = session(s, 'r2')
    reconnectTx(s, { peerID: 'r2', epoch: 0, session: r2Link ?? null }, env)
    expect(parentOf(s, 'r2')).toBe('r3') // src has room again but r2 is leaving it
    expect(depth(s, 'r2')).toBe(2)
    expect(problems(s)).toEqual([])
  })

  test('a relay slot that frees shallower than a member under a leaf pulls the deepest such member up, one per change', () => {
    const s = newState(3, 2)
    const env = testEnv()
    join(s, 'r0', env)
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) join(s, id, env, 'leaf') // src[r0[b c d] a[e f]]: e, f under a leaf
    expect(parentOf(s, 'e')).toBe('a')
    expect(choosePullUp(s)).toBeNull() // no relay slot free
    const out = join(s, 'r1', env).change.out // takes a's slot; a (with e, f) goes under r1; then f comes up under r1
    expect(out.filter((o) => o.event === 'tree:discover').map((o) => o.event === 'tree:discover' && `${o.to}:${o.payload.reason}`)).toEqual(['r1:join', 'a:moved', 'f:moved'])
    expect(children(s, 'src')).toEqual(['r0', 'r1'])
    expect(children(s, 'r1')).toEqual(['a', 'f'])
    expect([depth(s, 'a'), depth(s, 'e'), depth(s, 'f')]).toEqual([2, 3, 2])
    expect(problems(s)).toEqual([])
    leaveTx(s, { peerID: 'b', epoch: 0 }, env) // r0 has a free slot at depth 2, e hangs at depth 3 under a leaf
    expect(parentOf(s, 'e')).toBe('r0')
    expect(choosePullUp(s)).toBeNull()
    expect(problems(s)).toEqual([])
  })
})
