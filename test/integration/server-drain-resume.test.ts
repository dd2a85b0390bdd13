// The drain of the server command, end to end behind haproxy running the config docs/deploy.md
// documents (test/helpers/haproxy.ts): command servers share one store; one drains (as on
// SIGTERM) and its WebRTC peers, told and disconnected, reconnect through the same address to
// another and resume their places: the same peer IDs, the same links, no 'disconnect', data
// still flowing. Also when a reconnect reaches a process that is itself draining (the balancer
// has not seen it go yet), which refuses the socket: the client connects it again itself.
import { io as connectSocket, type Socket } from 'socket.io-client'
import { afterEach, describe, expect, test } from 'vitest'
import { startCommandServer, type CommandServer } from '../../packages/tree-server/src/command/app.js'
import { MemoryStore } from 'peer-tree-server'
import { DRAINING_REFUSAL } from 'peer-tree-server/protocol'
import { startHaproxy, type Haproxy } from '../helpers/haproxy.js'
import { ServerProcesses, type ServerProcess } from '../helpers/server-processes.js'
import { Swarm, type TestPeer } from '../helpers/swarm.js'
import { nextEvent, until } from '../helpers/wait.js'

const swarm = new Swarm()
const processes = new ServerProcesses()
afterEach(async () => {
  await swarm.close()
  await processes.close()
})

async function commandServer (store: MemoryStore): Promise<CommandServer> {
  const server = await startCommandServer({ port: 0, host: '127.0.0.1', server: { k: 1, k1: 1, reconnectGraceMs: 60_000 } }, { store })
  swarm.onClose(async () => { await server.drain() })
  return server
}

const addrOf = (s: CommandServer): string => new URL(s.url).host

/** haproxy in front of `servers`, only the first of them in the pool (the others in maintenance) until `open` puts them in. */
async function balancer (servers: CommandServer[]): Promise<{ lb: Haproxy, open: (...s: CommandServer[]) => Promise<void> }> {
  const lb = await startHaproxy(servers.map(addrOf))
  swarm.onClose(lb.stop)
  const [first, ...rest] = servers.map(addrOf)
  for (const addr of rest) await lb.setState(addr, 'maint')
  await lb.waitForUp([first ?? ''])
  const open = async (...more: CommandServer[]): Promise<void> => {
    for (const s of more) await lb.setState(addrOf(s), 'ready')
    const up = new Set([...await lb.backendsUp(), ...more.map(addrOf)])
    await lb.waitForUp([...up])
  }
  return { lb, open }
}

/** A source and two joiners in a chain (k = 1) through `url`: source, a under it, b under a. */
async function chain (url: string): Promise<{ treeID: string, peers: TestPeer[] }> {
  const source = swarm.peer(url, { name: 'source' })
  source.client.create()
  const [treeID] = await nextEvent<[string]>(source.client, 'discover')
  const a = swarm.peer(url, { name: 'a' })
  a.client.connect(treeID)
  await until(() => a.client.upstreamPeer !== null, { what: 'a linked under the source' })
  const b = swarm.peer(url, { name: 'b' })
  b.client.connect(treeID)
  await until(() => b.client.upstreamPeer !== null && a.client.downstreamPeers.length === 1, { what: 'b linked under a' })
  return { treeID, peers: [source, a, b] }
}

/** Resolves when every peer of `peers` resumed on `server`, its three sockets there. */
async function resumedOn (server: CommandServer, peers: TestPeer[]): Promise<void> {
  await until(() => server.treeServer.stats().counters.resumes === peers.length, { what: 'every peer resumed on the live process' })
  await until(() => server.treeServer.stats().sockets === peers.length, { what: 'every socket on the live process' })
}

/** The places are the ones before the drain: same IDs, same parents, nobody placed anew, no 'disconnect'. */
async function expectSamePlaces (server: CommandServer, treeID: string, peers: TestPeer[], before: unknown, discovers: number[]): Promise<void> {
  expect(peers.map((p) => ({ id: p.client.peerID, up: p.client.upstreamPeer }))).toEqual(before)
  // The joiners were placed nowhere new. (What the source's client emits on its own resume
  // is the client's concern, tested with the client.)
  expect(peers.slice(1).map((p) => p.discovers)).toEqual(discovers)
  expect(peers.map((p) => p.disconnects)).toEqual(peers.map(() => 0))
  const snap = await server.treeServer.snapshot(treeID)
  const [source, a, b] = peers.map((p) => p.client.peerID)
  expect(snap?.peers.map((p) => [p.peerID, p.parent, p.detached])).toEqual([[source, null, false], [a, source, false], [b, a, false]])
}

/**
 * Makes `server` start draining at the moment the first socket's namespace connect reaches it:
 * after that socket's handshake (so the balancer already sent it here), before its middleware.
 * Resolves then.
 */
async function drainOnFirstConnect (server: CommandServer): Promise<void> {
  await new Promise<void>((resolve) => {
    server.io.engine.once('connection', (conn: { on: (e: 'packet', fn: (p: { type: string }) => void) => void, off: (e: 'packet', fn: (p: { type: string }) => void) => void }) => {
      const onPacket = (packet: { type: string }): void => {
        if (packet.type !== 'message') return
        conn.off('packet', onPacket)
        void server.drain()
        resolve()
      }
      conn.on('packet', onPacket)
    })
  })
}

describe('in-process command servers on one store behind haproxy', () => {
  test('a drained process\'s peers resume on another process through haproxy: same IDs and links, no disconnect, data flows', async () => {
    const store = new MemoryStore()
    const first = await commandServer(store)
    const second = await commandServer(store)
    const { lb, open } = await balancer([first, second])
    const { treeID, peers } = await chain(lb.url)
    const [source] = peers as [TestPeer, TestPeer, TestPeer]
    await open(second)
    const before = peers.map((p) => ({ id: p.client.peerID, up: p.client.upstreamPeer }))
    const discovers = peers.slice(1).map((p) => p.discovers)
    const told = peers.map(async (p) => await nextEvent(p.socket, 'server:draining'))

    expect(await first.drain()).toBe(3)
    await Promise.all(told)
    // The drained process closed its listener: haproxy's check takes it out of the pool.
    await lb.waitForUp([addrOf(second)])
    await resumedOn(second, peers)

    await expectSamePlaces(second, treeID, peers, before, discovers)
    expect(source.client.write('after the drain')).toBe(1)
    await until(() => peers[2]?.received.includes('after the drain') === true, { what: 'b got data written after the drain' })
  })

  test('a reconnect that reaches a process as it starts draining is refused; the client connects again until a live process takes it, and resumes there', async () => {
    const store = new MemoryStore()
    const first = await commandServer(store)
    const trap = await commandServer(store)
    const last = await commandServer(store)
    const { lb, open } = await balancer([first, trap, last])
    const { treeID, peers } = await chain(lb.url)
    const [source] = peers as [TestPeer, TestPeer, TestPeer]
    await open(trap)
    const before = peers.map((p) => ({ id: p.client.peerID, up: p.client.upstreamPeer }))
    const discovers = peers.slice(1).map((p) => p.discovers)
    const refusals: string[] = []
    for (const p of peers) p.socket.on('connect_error', (err) => { if (err.message === DRAINING_REFUSAL) refusals.push(p.name) })
    const trapped = drainOnFirstConnect(trap)

    // The first peer to reconnect reaches the trap (the only other process in the pool), which
    // starts draining between that socket's handshake and its namespace connect.
    expect(await first.drain()).toBe(3)
    await trapped
    await until(() => refusals.length > 0, { what: 'a socket refused by the draining process' })
    const refused = peers.filter((p) => refusals.includes(p.name))
    // socket.io gave that socket up: only the client's own retry brings it back.
    for (const p of refused) expect(p.socket.active).toBe(false)

    // Only `last` is up once haproxy has seen the trap fail its check too (open() would count
    // the trap still up if its check had not failed yet).
    await lb.setState(addrOf(last), 'ready')
    await lb.waitForUp([addrOf(last)])
    await resumedOn(last, peers)
    expect(trap.treeServer.stats().counters.resumes).toBe(0)
    for (const p of refused) expect(p.socket.connected).toBe(true)

    await expectSamePlaces(last, treeID, peers, before, discovers)
    expect(source.client.write('after both drains')).toBe(1)
    await until(() => peers[2]?.received.includes('after both drains') === true, { what: 'b got data written after both drains' })
  })
})

describe('peer-tree-server processes behind haproxy', () => {
  test('SIGTERM: the client, through haproxy, is told and dropped, the process exits 0, haproxy takes it out and the socket reconnects to the other process', async () => {
    const [one, two] = await processes.start(2) as [ServerProcess, ServerProcess]
    const lb = await startHaproxy([one.addr, two.addr])
    swarm.onClose(lb.stop)
    await lb.setState(two.addr, 'maint')
    await lb.waitForUp([one.addr])
    const socket: Socket = connectSocket(lb.url, { transports: ['websocket'], forceNew: true })
    swarm.onClose(() => { socket.disconnect() })
    await nextEvent(socket, 'connect')
    const sockets = async (url: string): Promise<number> => {
      const text = await (await fetch(`${url}/metrics`)).text()
      return Number(/^peer_tree_sockets (\S+)$/m.exec(text)?.[1])
    }
    expect(await sockets(one.url)).toBe(1)
    await lb.setState(two.addr, 'ready')
    await lb.waitForUp([one.addr, two.addr])

    const told = nextEvent<[{ reason: string }]>(socket, 'server:draining')
    const dropped = nextEvent<[string]>(socket, 'disconnect')
    const back = nextEvent(socket, 'connect')
    expect(one.kill('SIGTERM')).toBe(true)
    expect((await told)[0]).toEqual({ reason: 'shutdown' })
    expect((await dropped)[0]).toBe('transport close')
    expect(await one.exited).toEqual({ code: 0, signal: null })
    expect(one.stderr()).toContain('drained 1 socket')
    await lb.waitForUp([two.addr])
    await back
    await until(async () => await sockets(two.url) === 1, { what: 'the socket on the other process' })
  })
})
