// Placement cost, on the same trees: the lookups alone (the breadth-first scan against the
// slot walk, and the same for relays: which member has room, nothing changed), and a whole
// placement (`joinTx`: the lookup, attaching the member, keeping the indexes, building the
// messages) timed together with the leave that undoes it, so the tree keeps its size.
// Run: npx vitest bench packages/tree-server/bench  (prints operations per second)
import { bench, describe } from 'vitest'
import { scanForSlot, walkToAnySlot, walkToSlot } from '../src/placement.js'
import { scanForRelayRoom, walkToRelayRoom } from '../src/relay-first.js'
import { createTx, joinTx, leaveTx } from '../src/transitions.js'
import type { TreeState } from '../src/tree-state.js'

/** `n` members, every third a relay (a feed's tree: a subscriber relays in one of three). */
function tree (n: number, k: number, k1: number): TreeState {
  const r = createTx(undefined, { treeID: 't', k, k1, owner: null, source: 'src', token: 'src.x', ref: 'r' })
  if (r.op !== 'put') throw new Error('create failed')
  const state = r.state
  let s = 0
  const env = { mintSession: () => `s${++s}` }
  for (let i = 0; i < n; i++) joinTx(state, { peerID: `p${i}`, role: i % 3 === 0 ? 'relay' : 'leaf', token: `p${i}.x`, maxPeers: n + 1 }, env)
  return state
}

// k = 4 leaves relays room; k = 3 (a feed's default, with 3 trees) runs out of relay slots, so
// leaves take children and placement walks the anySlot index (before it, it scanned).
for (const [n, k, k1] of [[1_000, 4, 10], [10_000, 4, 10], [100_000, 4, 10], [10_000, 3, 4], [100_000, 3, 4]] as const) {
  describe(`a tree of ${n} members (k = ${k}, k1 = ${k1})`, () => {
    const state = tree(n, k, k1)
    bench('leaf walk (no relay slot: any free slot)', () => { walkToAnySlot(state) })
    bench('breadth-first scan', () => { scanForSlot(state) })
    bench('slot walk', () => { walkToSlot(state) })
    bench('relay scan', () => { scanForRelayRoom(state) })
    bench('relay walk', () => { walkToRelayRoom(state) })
    let next = 0
    const env = { mintSession: () => `b${next}` }
    bench('join + leave (a placement and its undo)', () => {
      const peerID = `x${++next}`
      joinTx(state, { peerID, role: next % 3 === 0 ? 'relay' : 'leaf', token: `${peerID}.x`, maxPeers: n + 2 }, env)
      leaveTx(state, { peerID, epoch: 0 }, env)
    })
  })
}
