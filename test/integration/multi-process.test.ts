// Several signalling processes on one Redis, behind haproxy, as deploy.md describes: three
// `peer-tree-server --redis` processes, a source and 20 WebRTC peers joining through the
// balancer (so their sockets, and the two ends of most links, sit on different processes).
// One process is SIGKILLed mid-stream: its peers resume on the others with the same IDs and
// links. Redis is killed and restarted mid-stream: no tree lost, nobody adopted, a peer that
// tried to join during the outage gets in once it is back, and everyone gets data after.
import { afterEach, expect, test } from 'vitest'
import { RedisStore } from 'peer-tree-server/redis'
import type { TreeState } from 'peer-tree-server'
import { startHaproxy } from '../helpers/haproxy.js'
import { startRedisServer } from '../helpers/redis-server.js'
import type { RedisServer } from '../helpers/redis-server.js'
import { ServerProcesses } from '../helpers/server-processes.js'
import type { ServerProcess } from '../helpers/server-processes.js'
import { Swarm } from '../helpers/swarm.js'
import type { TestPeer } from '../helpers/swarm.js'
import { allLinksUp } from '../helpers/tree-view.js'
import type { TreeView } from '../helpers/tree-view.js'
import { nextEvent, until } from '../helpers/wait.js'

const PEERS = 20
const swarm = new Swarm()
const processes = new ServerProcesses()
afterEach(async () => {
  await swarm.close()
  await processes.close()
})

interface Deployment {
  redis: RedisServer
  servers: ServerProcess[]
  store: RedisStore
  url: string
}

async function deploy (): Promise<Deployment> {
  const redis = await startRedisServer()
  swarm.onClose(async () => { await redis.stop() })
  const servers = await processes.start(3, { args: ['--redis', redis.url, '--k', '2', '--k1', '3', '--heartbeat-ms', '500'] })
  const lb = await startHaproxy(servers.map((s) => s.addr))
  swarm.onClose(async () => { await lb.stop() })
  await lb.waitForUp(servers.map((s) => s.addr))
  // The test's own view of the trees, straight from Redis.
  const store = await RedisStore.connect(redis.url, { timeoutMs: 5_000 })
  swarm.onClose(async () => { await store.close() })
  return { redis, servers, store, url: lb.url }
}

/** The process ID a command process printed when it started. */
function processIdOf (server: ServerProcess): string {
  const id = /process ([\w-]+),/.exec(server.stderr())?.[1]
  if (id === undefined) throw new Error(`no process ID in: ${server.stderr()}`)
  return id
}

async function tree (store: RedisStore, treeID: string): Promise<TreeState> {
  const state = await store.get(treeID)
  if (state === undefined) throw new Error(`tree ${treeID} is gone`)
  return state as TreeState
}

async function ready (server: ServerProcess): Promise<number> {
  return (await fetch(`${server.url}/readyz`)).status
}

async function metric (server: ServerProcess, line: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  const found = text.split('\n').find((l) => l.startsWith(`${line} `))
  return found === undefined ? NaN : Number(found.slice(line.length + 1))
}

/** The tree as the store holds it, in the shape the link check reads. */
function viewOf (state: TreeState): TreeView {
  const parent = new Map<string, string | null>()
  const children = new Map<string, string[]>()
  for (const [id, m] of Object.entries(state.members)) {
    parent.set(id, m.parent)
    children.set(id, [...m.children])
  }
  return { source: state.source, parent, children, depth: new Map() }
}

/** Resolves once every link of the tree, as the store holds it, is connected at both ends. */
async function linked (store: RedisStore, treeID: string, members: TestPeer[]): Promise<void> {
  await until(async () => allLinksUp(members, viewOf(await tree(store, treeID))), {
    what: 'every link of the tree connected at both ends',
    ms: 60_000,
    describe: () => members.filter((p) => !p.client.isSource && p.upstream === null).map((p) => p.name).join(', ') + ' lack an upstream'
  })
}

async function swarmOf (url: string, store: RedisStore): Promise<{ treeID: string, source: TestPeer, peers: TestPeer[] }> {
  const source = swarm.peer(url, { name: 'source' })
  source.client.create()
  const [treeID] = await nextEvent<[string]>(source.client, 'discover')
  const peers: TestPeer[] = []
  for (let i = 0; i < PEERS; i++) {
    const p = swarm.peer(url, { name: `p${i}` })
    p.client.connect(treeID)
    peers.push(p)
  }
  await linked(store, treeID, [source, ...peers])
  return { treeID, source, peers }
}

async function everyoneGets (source: TestPeer, peers: TestPeer[], text: string): Promise<void> {
  expect(source.client.write(text)).toBeGreaterThan(0)
  await until(() => peers.every((p) => p.received.includes(text)), {
    what: `every peer got '${text}'`,
    describe: () => peers.filter((p) => !p.received.includes(text)).map((p) => p.name).join(', ')
  })
}

test('a SIGKILLed process: its peers resume on the others (same IDs, same links, no disconnect), the dead one is forgotten, data flows', async () => {
  const { servers, store, url } = await deploy()
  const { treeID, source, peers } = await swarmOf(url, store)
  await everyoneGets(source, peers, 'before')

  const before = await tree(store, treeID)
  const ids = servers.map(processIdOf)
  const holders = new Set(Object.values(before.members).map((m) => m.holder))
  expect(holders.size).toBe(3)
  const crossing = Object.values(before.members).filter((m) => m.parent !== null && before.members[m.parent]?.holder !== m.holder)
  expect(crossing.length).toBeGreaterThan(0)

  // The victim: the process holding the most members.
  const held = ids.map((id) => Object.values(before.members).filter((m) => m.holder === id).length)
  const victim = held.indexOf(Math.max(...held))
  const dead = ids[victim]
  const view = (): unknown => [source, ...peers].map((p) => [p.client.peerID, p.upstreams, p.disconnects])
  const seen = view()
  servers[victim]?.kill('SIGKILL')
  await servers[victim]?.exited

  await until(async () => Object.values((await tree(store, treeID)).members).every((m) => m.holder !== dead && !m.detached), {
    what: 'every member of the dead process resumed on another', ms: 60_000
  })
  const after = await tree(store, treeID)
  expect(after.size).toBe(PEERS + 1)
  expect(Object.fromEntries(Object.entries(after.members).map(([id, m]) => [id, m.parent])))
    .toEqual(Object.fromEntries(Object.entries(before.members).map(([id, m]) => [id, m.parent])))
  // Same peer IDs, no new upstream link, no 'disconnect' anywhere.
  expect(view()).toEqual(seen)
  await everyoneGets(source, peers, 'after the kill')
  // Their rooms work on their new processes: each peer the dead process held asks for a new
  // upstream, and is placed and linked again (the server's messages reach it, and its signals go through).
  const moved = peers.filter((p) => before.members[p.client.peerID ?? '']?.holder === dead)
  expect(moved.length).toBeGreaterThan(0)
  const upstreams = moved.map((p) => p.upstreams)
  for (const p of moved) p.client.reconnectUpstream()
  await until(() => moved.every((p, i) => p.upstreams > (upstreams[i] ?? 0) && p.upstream !== null), {
    what: 'every resumed peer linked to a new upstream',
    describe: () => moved.filter((p, i) => p.upstreams <= (upstreams[i] ?? 0) || p.upstream === null).map((p) => p.name).join(', ')
  })
  await linked(store, treeID, [source, ...peers])
  await everyoneGets(source, peers, 'after the moves')
  // Once its members are handled, the others take the dead process off the heartbeat table.
  await until(async () => Number(await store.client.sendCommand(['HEXISTS', 'pt:procs', dead ?? ''])) === 0, { what: 'the dead process forgotten' })
  expect(Number(await store.client.sendCommand(['HLEN', 'pt:procs']))).toBe(2)
})

test('Redis killed and restarted mid-stream: no tree lost, nobody adopted, a join made during the outage gets in, data flows', async () => {
  const { redis, servers, store, url } = await deploy()
  const { treeID, source, peers } = await swarmOf(url, store)
  await everyoneGets(source, peers, 'before')

  // A peer whose socket is up before the outage (the balancer takes processes whose /readyz
  // fails out of its pool for new connections) asks to join during it.
  const late = swarm.peer(url, { name: 'late' })
  if (!late.socket.connected) await nextEvent(late.socket, 'connect')
  await redis.kill()
  late.client.connect(treeID)
  await until(async () => {
    const refused = await Promise.all(servers.map(async (s) => await metric(s, 'peer_tree_errors_total{code="STORE_UNAVAILABLE"}')))
    return refused.some((n) => n > 0)
  }, { what: 'a server refused the late join with STORE_UNAVAILABLE' })
  // Every process says so on /readyz (the balancer's check), each answer within its bound.
  await until(async () => (await Promise.all(servers.map(async (s) => await ready(s)))).every((code) => code === 503), { what: 'every /readyz answers 503' })
  // The data path does not go through Redis.
  await everyoneGets(source, peers, 'during the outage')

  await redis.restart()
  await until(async () => (await Promise.all(servers.map(async (s) => await ready(s)))).every((code) => code === 200), { what: 'every /readyz answers 200 again' })
  await until(() => late.upstream !== null, { what: 'the late peer got in once Redis was back', ms: 60_000 })
  expect((await tree(store, treeID)).size).toBe(PEERS + 2)
  await everyoneGets(source, [...peers, late], 'after the restart')
  for (const s of servers) expect(await metric(s, 'peer_tree_adopted_total')).toBe(0)
  expect(peers.map((p) => p.disconnects)).toEqual(peers.map(() => 0))
})
