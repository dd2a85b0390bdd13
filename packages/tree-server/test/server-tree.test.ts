// Create, join, placement and signalling over a real socket.io server and raw clients.
import { describe, expect, test } from 'vitest'
import { TestClient, buildTree, createTree, joinTree, startServer } from './helpers/socket-harness.js'

const ID = /^[A-Za-z0-9_-]{22,}$/

describe('create and join', () => {
  test('create replies with a random tree ID, a peer ID, a token and no parent', async () => {
    const server = await startServer()
    const client = await TestClient.connect(server)
    client.emit('tree:create', { ref: 'mine' })
    const d = await client.next('tree:discover')
    expect(d).toEqual({ treeID: expect.stringMatching(ID), ref: 'mine', peerID: expect.stringMatching(ID), parent: null, session: null, token: expect.any(String), reason: 'create' })
    expect(d.peerID).not.toBe(client.socket.id)
    expect(Buffer.from(d.treeID, 'base64url').length).toBeGreaterThanOrEqual(16)
    const other = await createTree(server, {}, 'other')
    expect(other.discover.treeID).not.toBe(d.treeID)
  })

  test('join replies with the parent and session, and the parent gets peer:child', async () => {
    const server = await startServer()
    const source = await createTree(server)
    const treeID = source.discover.treeID
    const a = await joinTree(server, treeID, 'a')
    expect(a.discover).toEqual({ treeID, peerID: expect.stringMatching(ID), parent: source.discover.peerID, session: expect.stringMatching(ID), token: expect.any(String), reason: 'join' })
    expect(await source.client.next('peer:child')).toEqual({ treeID, session: a.discover.session, child: a.discover.peerID })
  })

  test('placement is breadth-first with k and k1 (k1 honoured below k)', async () => {
    const server = await startServer({ k: 3, k1: 1 })
    const { treeID, source, members } = await buildTree(server, 5)
    const snap = await server.tree.snapshot(treeID)
    const byId = new Map(snap?.peers.map((p) => [p.peerID, p]))
    expect(byId.get(source.discover.peerID)?.children).toEqual([members[0]?.discover.peerID])
    expect(byId.get(members[0]?.discover.peerID as string)?.children).toHaveLength(3)
    expect(members.map((m) => byId.get(m.discover.peerID)?.depth)).toEqual([1, 2, 2, 2, 3])
  })

  test('per-tree k and k1 from the create request, capped by maxK', async () => {
    const server = await startServer({ k: 4, k1: 10, maxK: 5 })
    const { treeID } = await buildTree(server, 0, { k: 1, k1: 99 })
    const snap = await server.tree.snapshot(treeID)
    expect([snap?.k, snap?.k1]).toEqual([1, 5])
  })

  test("unknown and prototype-named trees are TREE_NOT_FOUND, 'Tree does not exist.'", async () => {
    const server = await startServer()
    const client = await TestClient.connect(server)
    for (const treeID of ['nope', '__proto__', 'toString', 'constructor', 'hasOwnProperty']) {
      client.emit('tree:join', { treeID })
      expect(await client.nextError('tree:join')).toEqual({ code: 'TREE_NOT_FOUND', message: 'Tree does not exist.', event: 'tree:join', treeID })
    }
    const { treeID } = await buildTree(server, 1)
    await joinTree(server, treeID, 'still-works')
  })

  test('ALREADY_IN_TREE: a reused create ref, a second join, the source joining its own tree', async () => {
    const server = await startServer()
    const source = await createTree(server)
    const treeID = source.discover.treeID
    source.client.emit('tree:create', { ref: 'ref-source' })
    expect(await source.client.nextError('tree:create')).toMatchObject({ code: 'ALREADY_IN_TREE', message: 'Already connected to tree.', ref: 'ref-source' })
    source.client.emit('tree:join', { treeID })
    expect(await source.client.nextError('tree:join')).toMatchObject({ code: 'ALREADY_IN_TREE', treeID })
    const a = await joinTree(server, treeID, 'a')
    a.client.emit('tree:join', { treeID })
    expect(await a.client.nextError('tree:join')).toMatchObject({ code: 'ALREADY_IN_TREE' })
    expect((await server.tree.snapshot(treeID))?.size).toBe(2)
  })

  test('one socket holds memberships in several trees', async () => {
    const server = await startServer()
    const t1 = await createTree(server, {}, 's1')
    const t2 = await createTree(server, {}, 's2')
    const both = await TestClient.connect(server, 'both')
    both.emit('tree:join', { treeID: t1.discover.treeID })
    both.emit('tree:join', { treeID: t2.discover.treeID })
    const d1 = await both.next('tree:discover', (d) => d.treeID === t1.discover.treeID)
    const d2 = await both.next('tree:discover', (d) => d.treeID === t2.discover.treeID)
    expect(d1.peerID).not.toBe(d2.peerID)
    both.emit('tree:create', { ref: 'own' })
    expect((await both.next('tree:discover', (d) => d.ref === 'own')).reason).toBe('create')
    expect(server.tree.stats().peers).toBe(5)
  })

  test('joining a second tree gives the socket a fresh node there: its children in the first tree stay behind', async () => {
    // The original reused the socket's node, so a subtree from T1 showed up in T2's model.
    const server = await startServer({ k1: 1 })
    const t1 = await buildTree(server, 2) // s1[a[b]]
    const [a, b] = t1.members
    if (a === undefined || b === undefined) throw new Error('no members')
    const t2 = await createTree(server, {}, 's2')
    a.client.emit('tree:join', { treeID: t2.discover.treeID })
    const d2 = await a.client.next('tree:discover', (d) => d.treeID === t2.discover.treeID)
    expect(d2.peerID).not.toBe(a.discover.peerID)
    const snap2 = await server.tree.snapshot(t2.discover.treeID)
    expect(snap2?.peers.map((p) => [p.peerID, p.children])).toEqual([[t2.discover.peerID, [d2.peerID]], [d2.peerID, []]])
    const snap1 = await server.tree.snapshot(t1.treeID)
    expect(snap1?.peers.find((p) => p.peerID === a.discover.peerID)?.children).toEqual([b.discover.peerID])
    await b.client.sync()
    expect(b.client.unread('tree:discover')).toEqual([])
  })
})

describe('signalling', () => {
  test('the parent gets peer:child before the first signal of that session', async () => {
    const server = await startServer()
    const source = await createTree(server)
    const child = await TestClient.connect(server, 'child')
    child.emit('tree:join', { treeID: source.discover.treeID })
    const d = await child.next('tree:discover')
    child.emit('peer:signal', { treeID: d.treeID, session: d.session, signal: { type: 'offer', sdp: 'v=0' } })
    const signal = await source.client.next('peer:signal')
    expect(signal).toEqual({ treeID: d.treeID, session: d.session, signal: { type: 'offer', sdp: 'v=0' } })
    const events = source.client.inbox.map((r) => r.event)
    expect(events.indexOf('peer:child')).toBeGreaterThanOrEqual(0)
    expect(events.indexOf('peer:child')).toBeLessThan(events.indexOf('peer:signal'))
  })

  test('signals go only between the two ends of a session, both ways', async () => {
    const server = await startServer({ k1: 2 })
    const { treeID, source, members: [a, b] } = await buildTree(server, 2)
    if (a === undefined || b === undefined) throw new Error('no members')
    const session = a.discover.session
    a.client.emit('peer:signal', { treeID, session, signal: { up: 1 } })
    expect((await source.client.next('peer:signal')).signal).toEqual({ up: 1 })
    source.client.emit('peer:signal', { treeID, session, signal: { down: 1 } })
    expect((await a.client.next('peer:signal')).signal).toEqual({ down: 1 })
    // b is a member of the tree, but not an end of a's link.
    b.client.emit('peer:signal', { treeID, session, signal: { hijack: 1 } })
    expect(await b.client.nextError('peer:signal')).toMatchObject({ code: 'UNKNOWN_SESSION', treeID })
    // A socket outside the tree.
    const stranger = await TestClient.connect(server, 'stranger')
    stranger.emit('peer:signal', { treeID, session, signal: { hijack: 2 } })
    expect(await stranger.nextError('peer:signal')).toMatchObject({ code: 'NOT_IN_TREE' })
    for (const c of [source.client, a.client, b.client]) await c.sync()
    expect([...source.client.unread('peer:signal'), ...a.client.unread('peer:signal'), ...b.client.unread('peer:signal')]).toEqual([])
    expect(server.tree.stats().counters.signalsRelayed).toBe(2)
  })

  test("two trees on one server do not see each other's signals", async () => {
    const server = await startServer()
    const t1 = await buildTree(server, 1)
    const t2 = await buildTree(server, 1)
    const [m1] = t1.members
    const [m2] = t2.members
    if (m1 === undefined || m2 === undefined) throw new Error('no members')
    m1.client.emit('peer:signal', { treeID: t1.treeID, session: m1.discover.session, signal: 'for t1' })
    expect((await t1.source.client.next('peer:signal')).signal).toBe('for t1')
    m2.client.emit('peer:signal', { treeID: t1.treeID, session: m1.discover.session, signal: 'cross' })
    expect(await m2.client.nextError('peer:signal')).toMatchObject({ code: 'NOT_IN_TREE' })
    m2.client.emit('peer:signal', { treeID: t2.treeID, session: m1.discover.session, signal: 'cross' })
    expect(await m2.client.nextError('peer:signal')).toMatchObject({ code: 'UNKNOWN_SESSION' })
    await t1.source.client.sync()
    await t2.source.client.sync()
    expect(t1.source.client.unread('peer:signal')).toEqual([])
    expect(t2.source.client.unread('peer:signal')).toEqual([])
  })

  test('peer:connected is recorded for each end of a link; a member that is neither end is refused', async () => {
    const server = await startServer()
    const { treeID, source, members: [a, b] } = await buildTree(server, 2)
    if (a === undefined || b === undefined) throw new Error('no member')
    const ends = async () => {
      const p = (await server.tree.snapshot(treeID))?.peers.find((q) => q.peerID === a.discover.peerID)
      return [p?.confirmed, p?.parentConfirmed]
    }
    b.client.emit('peer:connected', { treeID, session: a.discover.session })
    expect(await b.client.nextError('peer:connected')).toMatchObject({ code: 'UNKNOWN_SESSION' })
    a.client.emit('peer:connected', { treeID, session: a.discover.session })
    await a.client.sync()
    expect(await ends()).toEqual([true, false])
    source.client.emit('peer:connected', { treeID, session: a.discover.session })
    await source.client.sync()
    expect(await ends()).toEqual([true, true])
  })

  test('an oversized signal is INVALID_PAYLOAD and is not relayed', async () => {
    const server = await startServer({ maxSignalBytes: 1000 })
    const { treeID, source, members: [a] } = await buildTree(server, 1)
    if (a === undefined) throw new Error('no member')
    a.client.emit('peer:signal', { treeID, session: a.discover.session, signal: { sdp: 'x'.repeat(2000) } })
    expect(await a.client.nextError('peer:signal')).toMatchObject({ code: 'INVALID_PAYLOAD' })
    await source.client.sync()
    expect(source.client.unread('peer:signal')).toEqual([])
  })
})
