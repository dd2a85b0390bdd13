// Links that count only when both ends saw them work, parents that report a failed link,
// the parents a member avoids, and the signal budget of each link: raw socket.io clients
// against a real server, each playing a peer that lies, dies or floods.
import { describe, expect, test } from 'vitest'
import { at, buildTree, joinTree, peer, startServer, TestClient } from './helpers/socket-harness.js'
import type { Member } from './helpers/socket-harness.js'

/** Both ends of `m`'s upstream link say it works. */
function confirmBoth (parent: Member, m: Member): void {
  m.client.emit('peer:connected', { treeID: m.discover.treeID, session: m.discover.session })
  parent.client.emit('peer:connected', { treeID: m.discover.treeID, session: m.discover.session })
}

describe('a link counts only when both ends confirmed it', () => {
  test('a "relay" that only says its link works loses the slot at the deadline; the source is then avoided', async () => {
    const server = await startServer({ k: 2, k1: 2, linkTimeoutMs: 50 })
    const { treeID, source, members } = await buildTree(server, 1)
    const honest = at(members, 0)
    confirmBoth(source, honest)
    // The raw socket never opens a link: it claims one. Before, that alone kept its slot for good.
    const liar = await joinTree(server, treeID, 'liar')
    expect(liar.discover.parent).toBe(source.discover.peerID)
    liar.client.emit('peer:connected', { treeID, session: liar.discover.session })
    const moved = await liar.client.next('tree:discover', (d) => d.reason === 'reconnect')
    expect(moved.parent).toBe(honest.discover.peerID)
    expect(await source.client.next('peer:unlink')).toEqual({ treeID, session: liar.discover.session })
    const snap = await server.tree.snapshot(treeID)
    expect(peer(snap, source.discover.peerID).children).toEqual([honest.discover.peerID])
    expect(peer(snap, liar.discover.peerID).failedParents).toEqual([source.discover.peerID])
    // The honest link, confirmed by both ends, stays where it is.
    expect(peer(snap, honest.discover.peerID)).toMatchObject({ parent: source.discover.peerID, confirmed: true, parentConfirmed: true })
  })
})

describe('peer:failed: the parent end reports a link that failed', () => {
  test('the slot frees at once and the child is placed elsewhere, avoiding that parent', async () => {
    const server = await startServer({ k: 2, k1: 2 })
    const { treeID, source, members } = await buildTree(server, 3) // src[m0[m2] m1]
    const [m0, m2] = [at(members, 0), at(members, 2)]
    expect(m2.discover.parent).toBe(m0.discover.peerID)
    m0.client.emit('peer:failed', { treeID, session: m2.discover.session })
    const moved = await m2.client.next('tree:discover', (d) => d.reason === 'reconnect')
    expect(moved.parent).toBe(at(members, 1).discover.peerID)
    const snap = await server.tree.snapshot(treeID)
    expect(peer(snap, m0.discover.peerID).children).toEqual([])
    expect(peer(snap, m2.discover.peerID).failedParents).toEqual([m0.discover.peerID])
    // The reporter closed the link itself: no unlink for it.
    await m0.client.sync()
    expect(m0.client.unread('peer:unlink')).toEqual([])
    expect(server.tree.stats().counters.reportedLinks).toBe(1)
    // A report of a link that is gone (it crossed the move) changes nothing.
    m0.client.emit('peer:failed', { treeID, session: m2.discover.session })
    expect(await m0.client.nextError('peer:failed')).toMatchObject({ code: 'UNKNOWN_SESSION', treeID })
    expect(source.client.unread('tree:error')).toEqual([])
  })

  test('only the parent end of a current link may report it', async () => {
    const server = await startServer({ k: 2, k1: 2 })
    const { treeID, source, members } = await buildTree(server, 2)
    const [a, b] = [at(members, 0), at(members, 1)]
    a.client.emit('peer:failed', { treeID, session: a.discover.session })
    expect(await a.client.nextError('peer:failed')).toMatchObject({ code: 'UNKNOWN_SESSION', message: 'Only the parent end of a link reports it failed.' })
    b.client.emit('peer:failed', { treeID, session: a.discover.session })
    expect(await b.client.nextError('peer:failed')).toMatchObject({ code: 'UNKNOWN_SESSION' })
    const outsider = await TestClient.connect(server, 'outsider')
    outsider.emit('peer:failed', { treeID, session: a.discover.session })
    expect(await outsider.nextError('peer:failed')).toMatchObject({ code: 'NOT_IN_TREE' })
    outsider.emit('peer:failed', { treeID, session: 42 })
    expect(await outsider.nextError('peer:failed')).toMatchObject({ code: 'INVALID_PAYLOAD' })
    const snap = await server.tree.snapshot(treeID)
    expect(peer(snap, source.discover.peerID).children).toEqual([a.discover.peerID, b.discover.peerID])
  })

  test('during its grace period a dead child loses its slot once its parent reports it; joiners fit, and its resume still works', async () => {
    const server = await startServer({ k: 1, k1: 1, reconnectGraceMs: 60_000 })
    const { treeID, members } = await buildTree(server, 2) // src[a[c]]
    const [a, c] = [at(members, 0), at(members, 1)]
    c.client.close()
    await a.client.sync()
    await server.tree.snapshot(treeID).then((s) => expect(peer(s, c.discover.peerID).detached).toBe(true))
    // Before the report, nobody can take a child: the detached child holds the only slot.
    const early = await TestClient.connect(server, 'early')
    early.emit('tree:join', { treeID })
    expect(await early.nextError('tree:join')).toMatchObject({ code: 'TREE_FULL' })
    a.client.emit('peer:failed', { treeID, session: c.discover.session })
    await a.client.sync()
    let snap = await server.tree.snapshot(treeID)
    expect(peer(snap, a.discover.peerID).children).toEqual([])
    expect(snap?.pending).toEqual([c.discover.peerID])
    const late = await joinTree(server, treeID, 'late')
    expect(late.discover.parent).toBe(a.discover.peerID)
    // The child comes back: its membership resumes, and it is placed, not under a.
    const back = await TestClient.connect(server, 'back')
    back.emit('tree:resume', { treeID, token: c.discover.token })
    expect(await back.next('tree:discover', (d) => d.reason === 'resume')).toMatchObject({ peerID: c.discover.peerID, parent: null, session: null })
    const placed = await back.next('tree:discover', (d) => d.reason === 'reconnect')
    expect(placed.parent).toBe(late.discover.peerID)
    snap = await server.tree.snapshot(treeID)
    expect(snap?.pending).toEqual([])
    expect(peer(snap, c.discover.peerID)).toMatchObject({ detached: false, parent: late.discover.peerID, failedParents: [a.discover.peerID] })
  })
})

describe('the parents that failed a member', () => {
  test('the last 4 are avoided while anything else fits', async () => {
    // src[r0 … r5], each relay with one free slot: x moves on every failure.
    const server = await startServer({ k: 1, k1: 6 })
    const { treeID, members } = await buildTree(server, 6)
    const r = members.map((m) => m.discover.peerID)
    const x = await joinTree(server, treeID, 'x')
    const parents = [x.discover.parent]
    let session = x.discover.session
    for (let i = 0; i < 5; i++) {
      x.client.emit('tree:reconnect', { treeID, session, failed: true })
      const d = await x.client.next('tree:discover', (m) => m.reason === 'reconnect' && m.session !== session)
      parents.push(d.parent)
      session = d.session
    }
    // Only the last parent avoided would send it back to r0 at the second move.
    expect(parents).toEqual([r[0], r[1], r[2], r[3], r[4], r[0]])
    const snap = await server.tree.snapshot(treeID)
    expect(peer(snap, x.discover.peerID).failedParents).toEqual([r[1], r[2], r[3], r[4]])
  })

  test('when only avoided parents fit, one of them takes the member', async () => {
    const server = await startServer({ k: 1, k1: 2 })
    const { treeID, members } = await buildTree(server, 2) // src[r0 r1]
    const x = await joinTree(server, treeID, 'x')
    expect(x.discover.parent).toBe(at(members, 0).discover.peerID)
    x.client.emit('tree:reconnect', { treeID, session: x.discover.session, failed: true })
    const d1 = await x.client.next('tree:discover', (m) => m.reason === 'reconnect')
    expect(d1.parent).toBe(at(members, 1).discover.peerID)
    x.client.emit('tree:reconnect', { treeID, session: d1.session, failed: true })
    const d2 = await x.client.next('tree:discover', (m) => m.reason === 'reconnect' && m.session !== d1.session)
    expect(d2.parent).toBe(at(members, 0).discover.peerID)
    expect((await server.tree.snapshot(treeID))?.pending).toEqual([])
  })
})

describe('signal limits per link', () => {
  test('candidates before their sender\'s offer or answer are dropped and counted; after it they pass', async () => {
    const server = await startServer({ k: 2, k1: 2 })
    const { treeID, source, members } = await buildTree(server, 1)
    const a = at(members, 0)
    const session = a.discover.session
    const candidate = { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } }
    a.client.emit('peer:signal', { treeID, session, signal: candidate })
    a.client.emit('peer:signal', { treeID, session, signal: { candidate: { candidate: 'x' } } })
    a.client.emit('peer:signal', { treeID, session, signal: { type: 'offer', sdp: 'v=0' } })
    a.client.emit('peer:signal', { treeID, session, signal: candidate })
    // The parent has not answered yet: its own candidates are early too.
    source.client.emit('peer:signal', { treeID, session, signal: candidate })
    source.client.emit('peer:signal', { treeID, session, signal: { type: 'answer', sdp: 'v=0' } })
    source.client.emit('peer:signal', { treeID, session, signal: candidate })
    await a.client.sync()
    await source.client.sync()
    expect(source.client.unread('peer:signal').map((m) => m.signal)).toEqual([{ type: 'offer', sdp: 'v=0' }, candidate])
    expect(a.client.unread('peer:signal').map((m) => m.signal)).toEqual([{ type: 'answer', sdp: 'v=0' }, candidate])
    expect(server.tree.stats().counters).toMatchObject({ signalsDropped: 3, signalsRelayed: 4 })
    expect(a.client.unread('tree:error')).toEqual([])
  })

  test('past its count, a link is given up: dropped, SIGNAL_LIMIT, the child placed elsewhere avoiding that parent', async () => {
    const server = await startServer({ k: 2, k1: 2, maxSignalsPerLink: 10 })
    const { treeID, members } = await buildTree(server, 3) // src[a[b] c]
    const [a, b, c] = [at(members, 0), at(members, 2), at(members, 1)]
    expect(b.discover.parent).toBe(a.discover.peerID)
    b.client.emit('peer:signal', { treeID, session: b.discover.session, signal: { type: 'offer', sdp: 'v=0' } })
    for (let i = 0; i < 30; i++) b.client.emit('peer:signal', { treeID, session: b.discover.session, signal: { candidate: { candidate: `c${i}` } } })
    expect(await b.client.nextError('peer:signal')).toMatchObject({ code: 'SIGNAL_LIMIT', treeID })
    await b.client.sync()
    await a.client.sync()
    expect(a.client.unread('peer:signal')).toHaveLength(10)
    expect(await a.client.next('peer:unlink')).toEqual({ treeID, session: b.discover.session })
    expect((await b.client.next('tree:discover', (d) => d.reason === 'reconnect')).parent).toBe(c.discover.peerID)
    const snap = await server.tree.snapshot(treeID)
    expect(peer(snap, a.discover.peerID).children).toEqual([])
    expect(peer(snap, b.discover.peerID).failedParents).toEqual([a.discover.peerID])
    expect(server.tree.stats().counters.failedLinks).toBe(1)
    // Every later signal on the given-up session is refused, none relayed.
    expect(b.client.unread('tree:error').every((e) => e.code === 'UNKNOWN_SESSION')).toBe(true)
    expect(server.tree.stats().counters.signalsDropped).toBe(1)
  })

  test('past its bytes, likewise; the bookkeeping goes with the link', async () => {
    const server = await startServer({ k: 2, k1: 2, maxSignalBytesPerLink: 4096 })
    const { treeID, source, members } = await buildTree(server, 2)
    const [a] = [at(members, 0)]
    a.client.emit('peer:signal', { treeID, session: a.discover.session, signal: { type: 'offer', sdp: 'x'.repeat(3000) } })
    a.client.emit('peer:signal', { treeID, session: a.discover.session, signal: { type: 'offer', sdp: 'x'.repeat(3000) } })
    expect(await a.client.nextError('peer:signal')).toMatchObject({ code: 'SIGNAL_LIMIT' })
    const moved = await a.client.next('tree:discover', (d) => d.reason === 'reconnect')
    expect(moved.parent).toBe(at(members, 1).discover.peerID)
    await source.client.sync()
    expect(source.client.unread('peer:signal')).toHaveLength(1)
    expect(server.tree.stats().signalLinks).toBe(0)
    // The new link has a fresh budget.
    a.client.emit('peer:signal', { treeID, session: moved.session, signal: { type: 'offer', sdp: 'x'.repeat(3000) } })
    expect((await at(members, 1).client.next('peer:signal')).session).toBe(moved.session)
    expect(server.tree.stats().signalLinks).toBe(1)
  })
})
