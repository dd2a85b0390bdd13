// Signalling-socket blips: memberships that outlive their socket for reconnectGraceMs.
import { describe, expect, test } from 'vitest'
import { at, buildTree, joinTree, startServer, TestClient, until } from './helpers/socket-harness.js'

describe('resume within the grace period', () => {
  test('a dropped socket keeps its place, takes no new children, and a new socket resumes it', async () => {
    const server = await startServer({ k: 2, k1: 1, reconnectGraceMs: 60_000 })
    const { treeID, source, members } = await buildTree(server, 2) // src[m0[m1]]
    const m0 = at(members, 0)
    const m1 = at(members, 1)
    m0.client.close()
    // Once the server has parked m0 (it shows as detached), nobody has been told anything.
    await until(async () => (await server.tree.snapshot(treeID))?.peers.find((p) => p.peerID === m0.discover.peerID)?.detached === true, 'm0 is parked', source.client)
    await source.client.sync()
    await m1.client.sync()
    expect(source.client.unread('peer:unlink')).toEqual([])
    expect(m1.client.unread('tree:discover')).toEqual([])

    // A joiner now: the source is full and m0 is parked, so it goes under m1.
    const late = await joinTree(server, treeID, 'late')
    expect(late.discover.parent).toBe(m1.discover.peerID)

    const back = await TestClient.connect(server, 'm0-again')
    back.emit('tree:resume', { treeID, token: m0.discover.token })
    expect(await back.next('tree:discover')).toEqual({
      treeID, peerID: m0.discover.peerID, parent: source.discover.peerID, session: m0.discover.session, token: m0.discover.token, reason: 'resume'
    })
    // Messages for the member reach the new socket.
    source.client.emit('peer:signal', { treeID, session: m0.discover.session, signal: 'hello again' })
    expect((await back.next('peer:signal')).signal).toBe('hello again')
    const snap = await server.tree.snapshot(treeID)
    expect(snap?.peers.find((p) => p.peerID === m0.discover.peerID)?.detached).toBe(false)
    expect(server.tree.stats().counters.resumes).toBe(1)
  })

  test('BAD_TOKEN for a wrong token; TREE_NOT_FOUND for an unknown tree', async () => {
    const server = await startServer({ reconnectGraceMs: 60_000 })
    const { treeID, members } = await buildTree(server, 1)
    const m0 = at(members, 0)
    const other = await TestClient.connect(server)
    const [peerID] = m0.discover.token.split('.')
    other.emit('tree:resume', { treeID, token: `${peerID}.wrongsecret` })
    expect(await other.nextError('tree:resume')).toMatchObject({ code: 'BAD_TOKEN', treeID })
    other.emit('tree:resume', { treeID: 'nope', token: m0.discover.token })
    expect(await other.nextError('tree:resume')).toMatchObject({ code: 'TREE_NOT_FOUND' })
    other.emit('tree:resume', { treeID, token: '__proto__.x' })
    expect(await other.nextError('tree:resume')).toMatchObject({ code: 'BAD_TOKEN' })
  })

  test('when the grace period ends the member is removed and repaired around; a late resume gets BAD_TOKEN', async () => {
    const server = await startServer({ k: 2, k1: 1, reconnectGraceMs: 50 })
    const { treeID, source, members } = await buildTree(server, 2) // src[m0[m1]]
    const m0 = at(members, 0)
    const m1 = at(members, 1)
    m0.client.close()
    // The removal is what tells us the grace period is over.
    expect(await source.client.next('peer:unlink')).toEqual({ treeID, session: m0.discover.session })
    expect((await m1.client.next('tree:discover', (d) => d.reason === 'parent-left')).parent).toBe(source.discover.peerID)
    const back = await TestClient.connect(server)
    back.emit('tree:resume', { treeID, token: m0.discover.token })
    expect(await back.nextError('tree:resume')).toMatchObject({ code: 'BAD_TOKEN' })
  })

  test('without a grace period a dropped socket leaves at once and cannot resume', async () => {
    const server = await startServer({ reconnectGraceMs: 0 })
    const { treeID, source, members } = await buildTree(server, 1)
    const m0 = at(members, 0)
    m0.client.close()
    await source.client.next('peer:unlink')
    const back = await TestClient.connect(server)
    back.emit('tree:resume', { treeID, token: m0.discover.token })
    expect(await back.nextError('tree:resume')).toMatchObject({ code: 'BAD_TOKEN' })
  })

  test('a resume from a new socket while the old one is still up moves the membership; the old socket can no longer act', async () => {
    const server = await startServer({ reconnectGraceMs: 60_000 })
    const { treeID, source, members } = await buildTree(server, 1)
    const m0 = at(members, 0)
    const fresh = await TestClient.connect(server, 'fresh')
    fresh.emit('tree:resume', { treeID, token: m0.discover.token })
    await fresh.next('tree:discover', (d) => d.reason === 'resume')
    m0.client.emit('peer:signal', { treeID, session: m0.discover.session, signal: 'stale' })
    expect(await m0.client.nextError('peer:signal')).toMatchObject({ code: 'NOT_IN_TREE' })
    source.client.emit('peer:signal', { treeID, session: m0.discover.session, signal: 'to the new socket' })
    expect((await fresh.next('peer:signal')).signal).toBe('to the new socket')
    await m0.client.sync()
    expect(m0.client.unread('peer:signal')).toEqual([])
    // The old socket closing now does not remove the member.
    m0.client.close()
    await until(() => server.tree.stats().sockets === 2, 'the server saw the old socket go', fresh)
    await fresh.sync()
    const snap = await server.tree.snapshot(treeID)
    expect(snap?.peers.find((p) => p.peerID === m0.discover.peerID)?.detached).toBe(false)
  })

  test('a parked source keeps the tree alive until its grace period ends', async () => {
    const server = await startServer({ reconnectGraceMs: 50 })
    const { treeID, source, members } = await buildTree(server, 1)
    source.client.close()
    expect(await at(members, 0).client.next('tree:ended')).toEqual({ treeID, reason: 'source-left' })
    expect(await server.tree.snapshot(treeID)).toBeUndefined()
  })
})
