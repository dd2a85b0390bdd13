// The public API: constructor forms and misuse, options, close(), stats(), snapshot(),
// the 'error' event, and the built CommonJS / ESM entry points.
import { EventEmitter } from 'node:events'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { Server } from 'socket.io'
import { io as connectSocket } from 'socket.io-client'
import { describe, expect, onTestFinished, test } from 'vitest'
import { DEFAULT_K1, MemoryStore, PeerTreeServer, PeerTreeServerError } from '../src/index.js'
import { resolveOptions } from '../src/options.js'
import type { TreeStore } from '../src/index.js'
import { TestClient, at, buildTree, startServer } from './helpers/socket-harness.js'

function bareIo (): Server {
  const http = createServer()
  const io = new Server(http)
  onTestFinished(async () => { await new Promise<void>((resolve) => { io.close(() => resolve()) }) })
  return io
}

describe('constructor', () => {
  test('works with and without new', () => {
    const io = bareIo()
    const a = new PeerTreeServer(io)
    const b = PeerTreeServer(io, { k: 2 })
    expect(a).toBeInstanceOf(PeerTreeServer)
    expect(b).toBeInstanceOf(PeerTreeServer)
    expect(b).toBeInstanceOf(EventEmitter)
    a.close()
    b.close()
  })

  test('misuse throws TypeError or RangeError', () => {
    const io = bareIo()
    const make = (opts: unknown) => () => new PeerTreeServer(io, opts as never)
    expect(() => new PeerTreeServer(undefined as never)).toThrow(TypeError)
    expect(() => new PeerTreeServer({} as never)).toThrow(TypeError)
    expect(make('k=2')).toThrow(TypeError)
    expect(make({ k: '2' })).toThrow(TypeError)
    expect(make({ store: {} })).toThrow(TypeError)
    expect(make({ now: 5 })).toThrow(TypeError)
    for (const opts of [{ k: 0 }, { k: -1 }, { k: 1.5 }, { k1: Number.NaN }, { maxK: 0 }, { maxTrees: Infinity },
      { signalsPerSecond: 0 }, { requestsPerSecond: -1 }, { reconnectGraceMs: -1 }, { reconnectGraceMs: 2 ** 31 },
      { challengeTtlMs: 0 }, { maxSignalBytes: 0.5 }]) {
      expect(make(opts), JSON.stringify(opts)).toThrow(RangeError)
    }
  })

  test('defaults follow the README: k = 4, k1 = 10', async () => {
    const server = await startServer()
    const { treeID } = await buildTree(server, 0)
    const snap = await server.tree.snapshot(treeID)
    expect([snap?.k, snap?.k1]).toEqual([4, 10])
  })

  test('the options table in docs/server-api.md gives the defaults the code uses (the original README said k1 = 10, its code 5)', () => {
    const doc = readFileSync(new URL('../../../docs/server-api.md', import.meta.url), 'utf8')
    const rows = new Map([...doc.matchAll(/^\| `(\w+)` \| `(\d+)` \|/gm)].map((m) => [m[1] as string, Number(m[2])]))
    const resolved = resolveOptions(undefined) as unknown as Record<string, unknown>
    const numeric = Object.keys(resolved).filter((name) => typeof resolved[name] === 'number')
    expect([...rows.keys()].sort()).toEqual(numeric.sort())
    for (const [name, value] of rows) expect(resolved[name], name).toBe(value)
    expect(rows.get('k1')).toBe(DEFAULT_K1)
    expect(DEFAULT_K1).toBe(10)
  })

  test('serves sockets that connected before it was made', async () => {
    const http = createServer()
    const io = new Server(http)
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    onTestFinished(async () => { await new Promise<void>((resolve) => { io.close(() => resolve()) }) })
    const socket = connectSocket(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'], forceNew: true, reconnection: false })
    onTestFinished(() => { socket.disconnect() })
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    const tree = new PeerTreeServer(io)
    onTestFinished(() => { tree.close() })
    const reply = new Promise((resolve) => socket.once('tree:discover', resolve))
    socket.emit('tree:create', { ref: 'early' })
    expect(await reply).toMatchObject({ ref: 'early', reason: 'create' })
  })
})

describe('close()', () => {
  test('detaches every listener, is idempotent, and leaves io running', async () => {
    const server = await startServer()
    const client = await TestClient.connect(server)
    const serverSocket = server.io.sockets.sockets.get(client.socket.id as string)
    expect(serverSocket?.listeners('tree:join')).toHaveLength(1)
    server.tree.close()
    server.tree.close()
    expect(serverSocket?.listeners('tree:join')).toHaveLength(0)
    expect(serverSocket?.listeners('disconnect')).toHaveLength(0)
    expect(server.io.listeners('connection')).toHaveLength(0)
  })
})

describe('stats() and snapshot()', () => {
  test('counts joins, signals and errors by code; snapshot describes the tree', async () => {
    const server = await startServer({ k: 2, k1: 1 })
    const { treeID, source, members } = await buildTree(server, 3)
    const [m0] = members
    if (m0 === undefined) throw new Error('no member')
    m0.client.emit('peer:signal', { treeID, session: m0.discover.session, signal: 1 })
    await source.client.next('peer:signal')
    m0.client.emit('tree:join', { treeID: 'nope' })
    await m0.client.nextError()
    const stats = server.tree.stats()
    expect(stats).toMatchObject({ trees: 1, peers: 4, sockets: 4, counters: { creates: 1, joins: 3, signalsRelayed: 1 } })
    expect(stats.errors.TREE_NOT_FOUND).toBe(1)
    expect(Object.values(stats.errors).reduce((a, b) => a + b, 0)).toBe(1)
    const snap = await server.tree.snapshot(treeID)
    expect(snap).toMatchObject({ treeID, source: source.discover.peerID, k: 2, k1: 1, owner: null, size: 4, pending: [] })
    expect(snap?.peers.map((p) => [p.depth, p.role])).toEqual([[0, 'source'], [1, 'relay'], [2, 'relay'], [2, 'relay']])
    expect(snap?.peers[0]?.children).toEqual([m0.discover.peerID])
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap)
    expect(await server.tree.snapshot('nope')).toBeUndefined()
    await expect(server.tree.snapshot(42 as never)).rejects.toThrow(TypeError)
  })
  test("'treeChanged' fires for each change of members (create, join, leave, end), not for a link confirmation", async () => {
    const server = await startServer({ k: 2, k1: 2 })
    const changed: string[] = []
    server.tree.on('treeChanged', (id) => changed.push(id))
    const { treeID, source, members } = await buildTree(server, 2)
    expect(changed).toEqual([treeID, treeID, treeID])
    const m0 = at(members, 0)
    m0.client.emit('peer:connected', { treeID, session: m0.discover.session })
    m0.client.emit('tree:leave', { treeID })
    await source.client.next('peer:unlink')
    expect(changed).toHaveLength(4)
    source.client.close()
    await at(members, 1).client.next('tree:ended')
    expect(changed).toEqual(Array.from({ length: 5 }, () => treeID))
  })
})

/** A store that works until `failing` is set, then rejects every call. */
class FlakyStore implements TreeStore {
  failing = false
  readonly #inner = new MemoryStore()
  async get (treeID: string) { if (this.failing) throw new Error('store down'); return await this.#inner.get(treeID) }
  async transact<R> (treeID: string, fn: Parameters<TreeStore['transact']>[1]) {
    if (this.failing) throw new Error('store down')
    return await this.#inner.transact(treeID, fn as never) as R
  }

  async read<R> (treeID: string, fn: Parameters<TreeStore['read']>[1]) {
    if (this.failing) throw new Error('store down')
    return await this.#inner.read(treeID, fn as never) as R
  }

  async heldBy (holder: string) { if (this.failing) throw new Error('store down'); return await this.#inner.heldBy(holder) }
  async size () { if (this.failing) throw new Error('store down'); return await this.#inner.size() }
}

describe("the 'error' event", () => {
  test('a store failure answers STORE_UNAVAILABLE and emits error; without a listener nothing throws', async () => {
    const store = new FlakyStore()
    const server = await startServer({ store })
    const { treeID, source } = await buildTree(server, 0)
    store.failing = true
    const client = await TestClient.connect(server)
    client.emit('tree:join', { treeID })
    expect(await client.nextError('tree:join')).toMatchObject({ code: 'STORE_UNAVAILABLE', treeID })
    const errors: PeerTreeServerError[] = []
    server.tree.on('error', (err) => errors.push(err))
    client.emit('tree:create', { ref: 'x' })
    expect(await client.nextError('tree:create')).toMatchObject({ code: 'STORE_UNAVAILABLE' })
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(PeerTreeServerError)
    expect(errors[0]?.code).toBe('STORE_UNAVAILABLE')
    expect((errors[0]?.cause as Error).message).toBe('store down')
    // A listener that throws does not break the server either.
    server.tree.on('error', () => { throw new Error('listener bug') })
    client.emit('tree:join', { treeID })
    expect(await client.nextError('tree:join')).toMatchObject({ code: 'STORE_UNAVAILABLE' })
    store.failing = false
    client.emit('tree:join', { treeID })
    expect((await client.next('tree:discover')).parent).toBe(source.discover.peerID)
  })
})

describe('built entry points', () => {
  const dist = new URL('../dist/', import.meta.url)

  test("require('peer-tree-server') returns the constructor, with the named exports on it", async () => {
    const cjs = new URL('index.cjs', dist)
    expect(existsSync(cjs), 'run `pnpm --filter peer-tree-server build` before the tests').toBe(true)
    const require = createRequire(import.meta.url)
    const P = require(cjs.pathname)
    expect(typeof P).toBe('function')
    expect(P.PeerTreeServer).toBe(P)
    expect(P.default).toBe(P)
    expect(typeof P.MemoryStore).toBe('function')
    expect(P.ServerErrorCodes.TREE_NOT_FOUND).toBe('TREE_NOT_FOUND')
    const io = bareIo()
    const viaCall = P(io)
    const viaNew = new P(io, { k: 2 })
    expect(viaCall).toBeInstanceOf(P)
    expect(viaNew).toBeInstanceOf(P)
    viaCall.close()
    viaNew.close()
    // The protocol entry stays a plain module.
    const protocol = require(new URL('protocol.cjs', dist).pathname)
    expect(typeof protocol.ownerSignable).toBe('function')
  })

  test('the ESM build has a default export that is the constructor', async () => {
    const esm = await import(new URL('index.js', dist).href) as { default: unknown, PeerTreeServer: unknown }
    expect(esm.default).toBe(esm.PeerTreeServer)
    expect(typeof esm.default).toBe('function')
  })
})
