// The parent end's reports over real WebRTC and a real signalling server: a parent confirms
// a link once it is up, and reports a downstream link that failed, so the server frees the
// slot well before its own deadline, and even while the dead child's grace period runs.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import wrtc from '@roamhq/wrtc'
import { Server } from 'socket.io'
import { io as connectSocket } from 'socket.io-client'
import type { Socket } from 'socket.io-client'
import { afterEach, expect, test } from 'vitest'
import { PeerTreeServer } from 'peer-tree-server'
import type { PeerTreeServerOptions, TreeSnapshot } from 'peer-tree-server'
import { PeerTreeClient } from '../src/index.js'
import { nextEvent, until } from '../../../test/helpers/wait.js'

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const fn of cleanup.reverse()) { try { await fn() } catch { /* keep closing the rest */ } }
  cleanup.length = 0
})

async function startServer (opts: PeerTreeServerOptions): Promise<{ url: string, tree: PeerTreeServer }> {
  const http = createServer()
  const io = new Server(http)
  const tree = new PeerTreeServer(io, opts)
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  cleanup.push(async () => { tree.close(); await new Promise<void>((resolve) => { io.close(() => resolve()) }) })
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, tree }
}

function socketTo (url: string): Socket {
  const socket = connectSocket(url, { transports: ['websocket'], forceNew: true, reconnection: false })
  cleanup.push(() => { socket.disconnect() })
  return socket
}

function clientOn (url: string, timeout = 10_000): { socket: Socket, client: PeerTreeClient } {
  const socket = socketTo(url)
  const client = new PeerTreeClient(socket, { wrtc, timeout })
  cleanup.push(() => { client.destroy() })
  return { socket, client }
}

function peerOf (snap: TreeSnapshot | undefined, id: string | null) {
  return snap?.peers.find((p) => p.peerID === id)
}

test('a child that never connects is reported by its parent after the client timeout, far ahead of the server deadline', async () => {
  // The server would wait a minute; the parent's own timeout is 1 s.
  const server = await startServer({ k: 2, k1: 2, linkTimeoutMs: 60_000 })
  const source = clientOn(server.url, 1000)
  source.client.create()
  const [treeID] = await nextEvent<[string]>(source.client, 'discover')
  // A raw socket joins and never sends an offer.
  const silent = socketTo(server.url)
  const moves: Array<{ parent: string | null, reason: string }> = []
  silent.on('tree:discover', (d: { parent: string | null, reason: string }) => moves.push(d))
  silent.emit('tree:join', { treeID })
  await until(() => moves.length >= 2, { what: 'the silent child was moved', ms: 20_000 })
  // Nowhere else fits, so it is placed under the source again, as a new link with a new deadline.
  expect(moves.slice(0, 2).map((d) => [d.reason, d.parent])).toEqual([['join', source.client.peerID], ['reconnect', source.client.peerID]])
  const snap = await server.tree.snapshot(treeID)
  expect(snap?.peers.find((p) => p.parent === source.client.peerID)?.failedParents).toEqual([source.client.peerID])
  const { counters } = server.tree.stats()
  expect(counters.reportedLinks).toBeGreaterThanOrEqual(1)
  expect(counters.failedLinks).toBe(0)
  expect(source.client.downstreamPeers).toHaveLength(0)
})

test('a dead child in its grace period frees its slot once its parent reports the link; a joiner takes it and connects', async () => {
  const server = await startServer({ k: 1, k1: 1, reconnectGraceMs: 60_000 })
  const source = clientOn(server.url)
  source.client.create()
  const [treeID] = await nextEvent<[string]>(source.client, 'discover')
  const child = clientOn(server.url)
  child.client.connect(treeID)
  const [childPeer] = await nextEvent(child.client, 'upstreamPeer')
  const childID = child.client.peerID
  // It dies abruptly: the socket first (the server parks the membership), then its peer
  // connections, with nothing said to the server.
  child.socket.disconnect()
  await until(async () => peerOf(await server.tree.snapshot(treeID), childID)?.detached === true, { what: 'the child is parked' })
  childPeer.destroy()
  await until(async () => (await server.tree.snapshot(treeID))?.pending.includes(childID ?? '') === true, {
    what: 'the source reported the dead link and the child waits for its resume'
  })
  expect(peerOf(await server.tree.snapshot(treeID), source.client.peerID)?.children).toEqual([])
  const late = clientOn(server.url)
  late.client.connect(treeID)
  await nextEvent(late.client, 'upstreamPeer')
  expect(peerOf(await server.tree.snapshot(treeID), late.client.peerID)?.parent).toBe(source.client.peerID)
  expect(server.tree.stats().counters.reportedLinks).toBe(1)
})

test('a downstream peer the application destroys is reported, and its child placed elsewhere', async () => {
  const server = await startServer({ k: 2, k1: 2 })
  const source = clientOn(server.url)
  source.client.create()
  const [treeID] = await nextEvent<[string]>(source.client, 'discover')
  const a = clientOn(server.url)
  a.client.connect(treeID)
  await nextEvent(a.client, 'upstreamPeer')
  const b = clientOn(server.url)
  b.client.connect(treeID)
  await nextEvent(b.client, 'upstreamPeer')
  const c = clientOn(server.url)
  const [downstream] = await Promise.all([
    nextEvent(a.client, 'downstreamPeer'),
    (async () => { c.client.connect(treeID); await nextEvent(c.client, 'upstreamPeer') })()
  ])
  expect(peerOf(await server.tree.snapshot(treeID), c.client.peerID)?.parent).toBe(a.client.peerID)
  // The parent end confirmed the link too, so it counts as working.
  await until(async () => peerOf(await server.tree.snapshot(treeID), c.client.peerID)?.parentConfirmed === true, { what: 'a confirmed its link to c' })
  const reports: unknown[] = []
  const emit = a.socket.emit.bind(a.socket)
  a.socket.emit = ((event: string, ...args: unknown[]) => {
    if (event === 'peer:failed') reports.push(args[0])
    return emit(event, ...args)
  }) as typeof a.socket.emit
  // The application distrusts the child and drops it, as the broadcast layer does.
  const replaced = nextEvent(c.client, 'upstreamPeer', { what: 'c connects to its new parent' })
  downstream[0].destroy()
  await replaced
  const snap = await server.tree.snapshot(treeID)
  expect(peerOf(snap, c.client.peerID)).toMatchObject({ parent: b.client.peerID, failedParents: [a.client.peerID] })
  expect(peerOf(snap, a.client.peerID)?.children).toEqual([])
  // The parent said so itself (whether its report or the child's reconnect got there first).
  expect(reports).toEqual([{ treeID, session: downstream[1].session }])
})
