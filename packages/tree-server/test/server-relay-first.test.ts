// Relay-first placement over a real socket.io server and raw clients: a relay takes the slot a
// leaf holds, the leaf's parent is told to close that link, the leaf is told where to go.
import { describe, expect, test } from 'vitest'
import { createTree, joinTree, startServer } from './helpers/socket-harness.js'

describe('relay-first placement', () => {
  test('a relay that joins after the leaves takes a leaf slot under the source; the leaf moves under it with reason moved', async () => {
    const server = await startServer()
    const source = await createTree(server, { k: 2, k1: 2 })
    const treeID = source.discover.treeID
    const a = await joinTree(server, treeID, 'a', 'leaf')
    const b = await joinTree(server, treeID, 'b', 'leaf')
    const r = await joinTree(server, treeID, 'r', 'relay')
    expect(r.discover.parent).toBe(source.discover.peerID)
    const moved = await b.client.next('tree:discover', (d) => d.reason === 'moved')
    expect(moved).toEqual({ treeID, peerID: b.discover.peerID, parent: r.discover.peerID, session: expect.any(String), token: b.discover.token, reason: 'moved' })
    // The old parent closes the leaf's old link; the new parent hears of the leaf before the leaf's offer.
    expect(await source.client.next('peer:unlink')).toEqual({ treeID, session: b.discover.session })
    expect(await r.client.next('peer:child')).toEqual({ treeID, session: moved.session, child: b.discover.peerID })
    // The leaf's new link is the one that counts: it confirms it, signals on it, and the old one is gone.
    b.client.emit('peer:connected', { treeID, session: moved.session })
    b.client.emit('peer:signal', { treeID, session: moved.session, signal: { type: 'offer', sdp: 'x' } })
    expect(await r.client.next('peer:signal')).toEqual({ treeID, session: moved.session, signal: { type: 'offer', sdp: 'x' } })
    b.client.emit('peer:signal', { treeID, session: b.discover.session, signal: { type: 'offer', sdp: 'y' } })
    expect((await b.client.nextError('peer:signal')).code).toBe('UNKNOWN_SESSION')
    const snap = await server.tree.snapshot(treeID)
    const depth = new Map(snap?.peers.map((p) => [p.peerID, p.depth]))
    expect([a, b, r].map((m) => depth.get(m.discover.peerID))).toEqual([1, 2, 1])
    expect(snap?.peers.find((p) => p.peerID === b.discover.peerID)?.confirmed).toBe(true)
    expect(a.client.unread('tree:discover')).toEqual([]) // the other leaf stays where it is
  })

  test('a feed-like tree (k = 3, k1 = 4): 12 leaves then 5 relays; the relays end at the breadth-first optimum, the leaves right below them', async () => {
    const server = await startServer()
    const source = await createTree(server, { k: 3, k1: 4 })
    const treeID = source.discover.treeID
    const leaves = []
    for (let i = 0; i < 12; i++) leaves.push(await joinTree(server, treeID, `leaf${i}`, 'leaf'))
    const relays = []
    for (let i = 0; i < 5; i++) relays.push(await joinTree(server, treeID, `relay${i}`, 'relay'))
    const snap = await server.tree.snapshot(treeID)
    const byId = new Map(snap?.peers.map((p) => [p.peerID, p]))
    expect(relays.map((m) => byId.get(m.discover.peerID)?.depth)).toEqual([1, 1, 1, 1, 2])
    // Each relay moved at most two leaves: one whose slot it took, one it pulled up from under a leaf.
    const moves = leaves.flatMap((m) => m.client.unread('tree:discover').filter((d) => d.reason === 'moved'))
    expect(moves.length).toBeGreaterThanOrEqual(4)
    expect(moves.length).toBeLessThanOrEqual(2 * relays.length)
    // No leaf is left under the source, and none deeper than one below the relays' second level.
    expect(snap?.peers.filter((p) => p.role === 'leaf').map((p) => p.depth).every((d) => d === 2 || d === 3)).toBe(true)
  })
})
