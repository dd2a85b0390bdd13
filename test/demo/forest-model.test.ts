// The live tree view's pure parts: snapshots and delivery reports into the drawn model
// (forest-model.mjs), and the model into positions (tree-layout.mjs, with d3-hierarchy).
import { stratify, tree } from 'd3-hierarchy'
import { describe, expect, test } from 'vitest'
import type { PeerSnapshot, TreeSnapshot } from 'peer-tree-server'
import { feedTreeOf, forestModel, parseReport, type DeliveryReport } from '../../scripts/lib/forest-model.mjs'
import { LAYOUT, layoutTree } from '../../scripts/pages/tree-layout.mjs'

const KEY = 'A'.repeat(43)

function member (peerID: string, parent: string | null, depth: number, extra: Partial<PeerSnapshot> = {}): PeerSnapshot {
  return {
    peerID,
    parent,
    session: parent === null ? null : `s-${peerID}`,
    children: [],
    depth,
    role: parent === null && depth === 0 ? 'source' : 'relay',
    confirmed: true,
    parentConfirmed: true,
    failedParents: [],
    detached: false,
    holder: null,
    ...extra
  }
}

/** A tree from `[peerID, parentID | null, depth]` rows; children follow from the parents. */
function snapshot (index: number, rows: Array<[string, string | null, number]>): TreeSnapshot {
  const peers = rows.map(([id, parent, depth]) => member(id, parent, depth))
  for (const p of peers) if (p.parent !== null) peers.find((q) => q.peerID === p.parent)?.children.push(p.peerID)
  return { treeID: `${KEY}.${index}`, source: rows[0]?.[0] ?? '', k: 2, k1: 2, owner: KEY, size: peers.length, peers, pending: [] }
}

const report = (peerIDs: Array<string | null>, delivered: number, extra: Partial<DeliveryReport> = {}): DeliveryReport =>
  ({ key: KEY, peerIDs, delivered, source: false, name: null, ...extra })

describe('forestModel', () => {
  const snaps = [
    snapshot(0, [['s0', null, 0], ['a0', 's0', 1], ['b0', 's0', 1], ['c0', 'a0', 2]]),
    snapshot(1, [['s1', null, 0], ['b1', 's1', 1], ['a1', 's1', 1], ['c1', 'b1', 2], ['w1', 'gone', -1]])
  ]
  const reports = [
    report(['s0', 's1'], 40, { source: true, name: 'source' }),
    report(['a0', 'a1'], 40, { name: 'a' }),
    report(['b0', 'b1'], 37, { name: 'b' }),
    report(['c0', null], 12, { name: 'c' }) // not placed in tree 1 yet
  ]

  test('one node per member and tree, with its parent, depth, name and lag behind the source', () => {
    const model = forestModel({ key: KEY, snapshots: snaps, reports })
    expect(model.head).toBe(40)
    expect(model.peers).toBe(4)
    expect(model.trees.map((t) => [t.index, t.size, t.depth, t.waiting])).toEqual([[0, 4, 2, 0], [1, 5, 2, 1]])
    expect(model.trees[0]?.nodes.map((n) => [n.id, n.parent, n.depth, n.name, n.lag])).toEqual([
      ['s0', null, 0, 'source', 0], ['a0', 's0', 1, 'a', 0], ['b0', 's0', 1, 'b', 3], ['c0', 'a0', 2, 'c', 28]
    ])
    // c1 belongs to no report (c is not placed in tree 1 by its own account): its lag is unknown.
    // w1 is cut off: drawn apart, without a parent.
    expect(model.trees[1]?.nodes.map((n) => [n.id, n.parent, n.placed, n.lag])).toEqual([
      ['s1', null, true, 0], ['b1', 's1', true, 3], ['a1', 's1', true, 0], ['c1', 'b1', true, null], ['w1', null, false, null]
    ])
  })

  test('without a source report no lag is known; reports of other feeds are ignored; a missing tree is drawn empty', () => {
    const model = forestModel({ key: KEY, snapshots: [snaps[0], undefined], reports: [reports[1] as DeliveryReport, report(['b0'], 1, { key: 'B'.repeat(43) })] })
    expect(model.head).toBeNull()
    expect(model.peers).toBe(1)
    expect(model.trees[0]?.nodes.map((n) => n.lag)).toEqual([0, null, null, null])
    expect(model.trees[1]).toMatchObject({ exists: false, nodes: [] })
  })

  test('a peer ahead of the reported head (reports race) shows lag 0, not a negative one', () => {
    const model = forestModel({ key: KEY, snapshots: [snaps[0]], reports: [report(['s0'], 10, { source: true }), report(['a0'], 12)] })
    expect(model.trees[0]?.nodes[1]?.lag).toBe(0)
  })
})

describe('parseReport (network input)', () => {
  test('keeps a well-formed report and drops anything else', () => {
    expect(parseReport({ key: KEY, peerIDs: ['x', null], delivered: 3 })).toEqual({ key: KEY, peerIDs: ['x', null], delivered: 3, source: false, name: null })
    for (const bad of [null, 'x', {}, { key: 'short', peerIDs: [], delivered: 0 }, { key: KEY, peerIDs: 'x', delivered: 0 },
      { key: KEY, peerIDs: [5], delivered: 0 }, { key: KEY, peerIDs: [], delivered: -1 }, { key: KEY, peerIDs: [], delivered: 1.5 },
      { key: KEY, peerIDs: Array(65).fill(null), delivered: 0 }, { key: KEY, peerIDs: [], delivered: 0, source: 'yes' },
      { key: KEY, peerIDs: [], delivered: 0, name: 'n'.repeat(33) }]) {
      expect(parseReport(bad), JSON.stringify(bad)).toBeUndefined()
    }
  })

  test('feedTreeOf splits a feed tree ID, and nothing else', () => {
    expect(feedTreeOf(`${KEY}.2`)).toEqual({ key: KEY, index: 2 })
    expect(feedTreeOf('a-random-tree-id')).toBeUndefined()
    expect(feedTreeOf(`${KEY}.x`)).toBeUndefined()
  })
})

describe('layoutTree', () => {
  test('the source on top, one level per link, children below their parent; waiting members in a row under the tree', () => {
    const model = forestModel({ key: KEY, snapshots: [undefined, snapshot(1, [['s', null, 0], ['a', 's', 1], ['b', 's', 1], ['c', 'b', 2], ['w', null, -1]])], reports: [] })
    const t = model.trees[1]
    if (t === undefined) throw new Error('no tree 1')
    const layout = layoutTree(t, { stratify, tree })
    const at = new Map(layout.nodes.map((n) => [n.id, n]))
    expect(layout.nodes).toHaveLength(5)
    const y = (id: string): number => at.get(id)?.y ?? NaN
    const x = (id: string): number => at.get(id)?.x ?? NaN
    expect(y('s')).toBe(LAYOUT.margin)
    expect([y('a'), y('b')]).toEqual([y('s') + LAYOUT.levelHeight, y('s') + LAYOUT.levelHeight])
    expect(y('c')).toBe(y('s') + 2 * LAYOUT.levelHeight)
    expect(x('a')).toBeLessThan(x('b'))
    expect(y('w')).toBeGreaterThan(y('c'))
    expect(layout.links.map((l) => `${l.parent}>${l.id}`).sort()).toEqual(['b>c', 's>a', 's>b'])
    for (const n of layout.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(LAYOUT.margin)
      expect(n.x).toBeLessThanOrEqual(layout.width - LAYOUT.margin)
      expect(n.y).toBeLessThan(layout.height)
    }
  })

  test('an empty tree lays out to nothing', () => {
    expect(layoutTree({ nodes: [] }, { stratify, tree })).toMatchObject({ nodes: [], links: [] })
  })
})
