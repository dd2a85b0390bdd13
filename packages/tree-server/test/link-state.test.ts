// Working links, the failed-parent list and the per-link signal ledger: pure logic.
import { expect, test } from 'vitest'
import { recordFailedParent, workingRelays } from '../src/link-state.js'
import { LINK_IDLE_MS, SignalLedger } from '../src/signal-ledger.js'
import { confirmTx } from '../src/transitions.js'
import { getMember } from '../src/tree-state.js'
import type { TreeState } from '../src/tree-state.js'
import { join, newState, testEnv } from './helpers/pure-tree.js'

function confirm (s: TreeState, child: string): void {
  const m = getMember(s, child)
  if (m?.session == null || m.parent === null) throw new Error(`no link for ${child}`)
  confirmTx(s, { peerID: child, epoch: 0, session: m.session })
  confirmTx(s, { peerID: m.parent, epoch: 0, session: m.session })
}

test('a relay counts only when every link between it and the source works', () => {
  const s = newState(2, 2)
  const env = testEnv()
  for (const id of ['a', 'b', 'c', 'd']) join(s, id, env) // src[a[c d] b]
  join(s, 'leaf', env, 'leaf') // under b
  expect(workingRelays(s)).toBe(0)
  confirm(s, 'c') // c's own link works, but a's does not: c hangs from nothing that works
  expect(workingRelays(s)).toBe(0)
  confirm(s, 'a')
  expect(workingRelays(s)).toBe(2) // a, c
  confirm(s, 'b')
  confirm(s, 'leaf')
  expect(workingRelays(s)).toBe(3) // leaves never count
})

test('the failed-parent list keeps the last 4, without repeats, newest last', () => {
  const s = newState(2, 2)
  join(s, 'a', testEnv())
  const m = getMember(s, 'a')
  if (m === undefined) throw new Error('no a')
  for (const p of ['p1', 'p2', 'p1', 'p3', 'p4', 'p5']) recordFailedParent(m, p)
  expect(m.failedParents).toEqual(['p1', 'p3', 'p4', 'p5'])
  expect(JSON.parse(JSON.stringify(m)).failedParents).toEqual(m.failedParents)
})

test('the signal ledger: limits per direction, early candidates, and entries that go with their links', () => {
  const ledger = new SignalLedger({ maxSignalsPerLink: 3, maxSignalBytesPerLink: 100, now: () => 0 })
  const offer = { type: 'offer', sdp: 'v=0' }
  const cand = { type: 'candidate', candidate: { candidate: 'c' } }
  expect(ledger.admit('s1', 'kid', 'child', cand, 10)).toBe('early')
  expect(ledger.admit('s1', 'kid', 'child', offer, 10)).toBe('relay')
  expect(ledger.admit('s1', 'kid', 'parent', cand, 10)).toBe('early') // the parent's own SDP has not come
  expect(ledger.admit('s1', 'kid', 'child', cand, 10)).toBe('relay')
  expect(ledger.admit('s1', 'kid', 'child', cand, 10)).toBe('over') // 4th from the child
  expect(ledger.admit('s1', 'kid', 'parent', { type: 'answer', sdp: 'v=0' }, 95)).toBe('over') // bytes
  expect(ledger.size).toBe(1)
  // A new link of the same child replaces its old entry; an unlink or a removal drops one.
  expect(ledger.admit('s2', 'kid', 'child', offer, 10)).toBe('relay')
  expect(ledger.size).toBe(1)
  ledger.admit('s3', 'other', 'child', offer, 10)
  ledger.unlinked('s2')
  ledger.unlinked('s2')
  expect(ledger.size).toBe(1)
  ledger.placed('other', 's3') // still on that link
  expect(ledger.size).toBe(1)
  ledger.removed('other')
  expect(ledger.size).toBe(0)
})

test('the signal ledger forgets links idle for LINK_IDLE_MS (another process may have ended them), sweeping as signals come', () => {
  let now = 0
  const ledger = new SignalLedger({ maxSignalsPerLink: 1_000_000, maxSignalBytesPerLink: 1e12, now: () => now })
  const offer = { type: 'offer', sdp: 'v=0' }
  ledger.admit('quiet', 'kid', 'parent', offer, 10)
  now = LINK_IDLE_MS - 1
  ledger.admit('busy', 'other', 'child', offer, 10)
  expect(ledger.size).toBe(2)
  now = LINK_IDLE_MS
  // The sweep runs once per so many signals, not on every one.
  let signals = 0
  while (ledger.size === 2 && signals < 10_000) { ledger.admit('busy', 'other', 'child', offer, 1); signals++ }
  expect(ledger.size).toBe(1)
  expect(signals).toBeGreaterThan(1)
  // A link that signals again after its entry went starts a new budget.
  expect(ledger.admit('quiet', 'kid', 'parent', offer, 10)).toBe('relay')
  expect(ledger.size).toBe(2)
})
