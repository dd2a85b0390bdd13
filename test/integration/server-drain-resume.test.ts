// The drain of the server command, end to end: two command servers share one store behind a
// minimal TCP balancer; the first drains (as on SIGTERM) and its WebRTC peers, told and
// disconnected, reconnect through the same address to the second and resume their places:
// the same peer IDs, the same links, no 'disconnect', data still flowing.
import { createServer, connect as connectTcp, type Socket as TcpSocket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, expect, test } from 'vitest'
import { startCommandServer, type CommandServer } from '../../packages/tree-server/src/command/app.js'
import { MemoryStore } from 'peer-tree-server'
import { Swarm } from '../helpers/swarm.js'
import { nextEvent, until } from '../helpers/wait.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })

/** A TCP balancer on 127.0.0.1 that sends each new connection to `target()`. */
async function balancer (target: () => number): Promise<string> {
  const open = new Set<TcpSocket>()
  const server = createServer((conn) => {
    const up = connectTcp(target(), '127.0.0.1')
    open.add(conn).add(up)
    conn.pipe(up)
    up.pipe(conn)
    const end = (): void => { conn.destroy(); up.destroy(); open.delete(conn); open.delete(up) }
    for (const s of [conn, up]) { s.on('error', end); s.on('close', end) }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  swarm.onClose(async () => {
    for (const s of open) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function commandServer (store: MemoryStore): Promise<CommandServer> {
  const server = await startCommandServer({ port: 0, host: '127.0.0.1', server: { k: 1, k1: 1, reconnectGraceMs: 60_000 } }, { store })
  swarm.onClose(async () => { await server.drain() })
  return server
}

const portOf = (s: CommandServer): number => Number(new URL(s.url).port)

test('a drained process\'s peers resume on another process through the same address: same IDs and links, no disconnect, data flows', async () => {
  const store = new MemoryStore()
  const first = await commandServer(store)
  const second = await commandServer(store)
  let target = portOf(first)
  const url = await balancer(() => target)

  const source = swarm.peer(url, { name: 'source' })
  source.client.create()
  const [treeID] = await nextEvent<[string]>(source.client, 'discover')
  const a = swarm.peer(url, { name: 'a' })
  a.client.connect(treeID)
  await until(() => a.client.upstreamPeer !== null, { what: 'a linked under the source' })
  const b = swarm.peer(url, { name: 'b' })
  b.client.connect(treeID)
  await until(() => b.client.upstreamPeer !== null && a.client.downstreamPeers.length === 1, { what: 'b linked under a' })
  const view = (): unknown => [source, a, b].map((p) => ({ id: p.client.peerID, up: p.client.upstreamPeer }))
  const before = view()
  const discovers = [a.discovers, b.discovers]
  const told = [source, a, b].map(async (p) => await nextEvent(p.socket, 'server:draining'))

  target = portOf(second)
  expect(await first.drain()).toBe(3)
  await Promise.all(told)
  await until(() => second.treeServer.stats().counters.resumes === 3, { what: 'every peer resumed on the second process' })
  await until(() => second.treeServer.stats().sockets === 3, { what: 'every socket on the second process' })

  expect(view()).toEqual(before)
  // The joiners were placed nowhere new. (What the source's client emits on its own resume
  // is the client's concern, tested with the client.)
  expect([a.discovers, b.discovers]).toEqual(discovers)
  expect([source, a, b].map((p) => p.disconnects)).toEqual([0, 0, 0])
  const snap = await second.treeServer.snapshot(treeID)
  expect(snap?.peers.map((p) => [p.peerID, p.parent, p.detached])).toEqual([
    [source.client.peerID, null, false],
    [a.client.peerID, source.client.peerID, false],
    [b.client.peerID, a.client.peerID, false]
  ])
  expect(source.client.write('after the drain')).toBe(1)
  await until(() => b.received.includes('after the drain'), { what: 'b got data written after the drain' })
})
