// Resource limits: TREE_FULL, TOO_MANY_TREES, RATE_LIMITED, and no state left behind by a socket.
import { describe, expect, test } from 'vitest'
import { TestClient, buildTree, createTree, startServer, until } from './helpers/socket-harness.js'

describe('limits', () => {
  test('TREE_FULL at maxPeersPerTree members (the source counts)', async () => {
    const server = await startServer({ maxPeersPerTree: 3 })
    const { treeID } = await buildTree(server, 2)
    const late = await TestClient.connect(server)
    late.emit('tree:join', { treeID })
    expect(await late.nextError('tree:join')).toMatchObject({ code: 'TREE_FULL', message: 'Tree is full.', treeID })
    expect((await server.tree.snapshot(treeID))?.size).toBe(3)
  })

  test('TOO_MANY_TREES at maxTrees on the server', async () => {
    const server = await startServer({ maxTrees: 2 })
    await createTree(server, {}, 'a')
    await createTree(server, {}, 'b')
    const c = await TestClient.connect(server)
    c.emit('tree:create', { ref: 'c' })
    expect(await c.nextError('tree:create')).toMatchObject({ code: 'TOO_MANY_TREES', ref: 'c' })
  })

  test('TOO_MANY_TREES at maxTreesPerSocket memberships, for create and join alike', async () => {
    const server = await startServer({ maxTreesPerSocket: 2 })
    const other = await createTree(server, {}, 'other')
    const c = await TestClient.connect(server)
    c.emit('tree:create', { ref: '1' })
    c.emit('tree:create', { ref: '2' })
    await c.next('tree:discover', (d) => d.ref === '2')
    c.emit('tree:create', { ref: '3' })
    expect(await c.nextError('tree:create')).toMatchObject({ code: 'TOO_MANY_TREES' })
    c.emit('tree:join', { treeID: other.discover.treeID })
    expect(await c.nextError('tree:join')).toMatchObject({ code: 'TOO_MANY_TREES' })
  })

  test('no state outlives its socket: after sockets create, join and go, the server holds nothing for them', async () => {
    // The original's signalling layer (simple-signal-server 2.1.1) kept an entry per closed socket.
    const server = await startServer()
    const { source, members } = await buildTree(server, 4)
    const stranger = await TestClient.connect(server, 'stranger')
    stranger.emit('tree:challenge')
    await stranger.next('tree:challenge')
    expect(server.tree.stats()).toMatchObject({ trees: 1, peers: 5, sockets: 6 })
    for (const m of [...members, { client: stranger }]) m.client.close()
    const watcher = await TestClient.connect(server, 'watcher')
    await until(() => server.tree.stats().sockets === 2 && server.tree.stats().peers === 1, 'the server saw the members go', watcher)
    source.client.close()
    await until(() => server.tree.stats().sockets === 1, 'the server saw the source go', watcher)
    expect(server.tree.stats()).toMatchObject({ trees: 0, peers: 0, sockets: 1 })
  })

  test('RATE_LIMITED beyond the request burst (twice requestsPerSecond) on a frozen clock', async () => {
    const server = await startServer({ requestsPerSecond: 2, now: () => 0 })
    const c = await TestClient.connect(server)
    for (let i = 0; i < 6; i++) c.emit('tree:join', { treeID: 'nope' })
    const codes = []
    for (let i = 0; i < 6; i++) codes.push((await c.nextError('tree:join')).code)
    expect(codes.filter((x) => x === 'TREE_NOT_FOUND')).toHaveLength(4)
    expect(codes.filter((x) => x === 'RATE_LIMITED')).toHaveLength(2)
    expect(server.tree.stats().errors.RATE_LIMITED).toBe(2)
  })

  test('RATE_LIMITED on peer:signal beyond its own bucket; relayed signals stop there', async () => {
    const server = await startServer({ signalsPerSecond: 1, now: () => 0 })
    const { treeID, source, members: [m] } = await buildTree(server, 1)
    if (m === undefined) throw new Error('no member')
    for (let i = 0; i < 5; i++) m.client.emit('peer:signal', { treeID, session: m.discover.session, signal: i })
    for (let i = 0; i < 3; i++) expect(await m.client.nextError('peer:signal')).toMatchObject({ code: 'RATE_LIMITED' })
    expect((await source.client.next('peer:signal')).signal).toBe(0)
    expect((await source.client.next('peer:signal')).signal).toBe(1)
    await source.client.sync()
    expect(source.client.unread('peer:signal')).toEqual([])
  })

  test('the rate limit refills with time', async () => {
    let now = 0
    const server = await startServer({ requestsPerSecond: 1, now: () => now })
    const c = await TestClient.connect(server)
    for (let i = 0; i < 3; i++) c.emit('tree:join', { treeID: 'nope' })
    const first = [await c.nextError(), await c.nextError(), await c.nextError()].map((e) => e.code).sort()
    expect(first).toEqual(['RATE_LIMITED', 'TREE_NOT_FOUND', 'TREE_NOT_FOUND'])
    now += 1000
    c.emit('tree:join', { treeID: 'nope' })
    expect((await c.nextError()).code).toBe('TREE_NOT_FOUND')
  })
})
