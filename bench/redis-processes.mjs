// Several `peer-tree-server` processes on one Redis, beside one process on the in-memory store:
//  1. joins/s: N raw socket.io clients (no WebRTC), spread over the processes, join one tree
//     at once (the processes share it, so their transactions contend for the tree);
//  2. signal relay latency: a signal from a child to its parent and back, both ends on one
//     process, and the two ends on different processes (through Redis pub/sub);
//  3. failover: a process is SIGKILLed; the time until each of its clients, reconnecting
//     through haproxy (the documented config), resumed on another process.
// Each server process is a child process; the clients run in this one. The machine has few
// cores: the figures include the processes competing for them.
// Run after a build: node bench/redis-processes.mjs [clients=1000] [signals=500] [failover clients=60]
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { io as connect } from 'socket.io-client'
import { importSource, machine } from './lib.mjs'
import { RedisStore } from 'peer-tree-server/redis'
import { startRedisServer } from './redis-server.mjs'

// The tests' haproxy launcher (the documented config with this run's addresses), from source.
const { startHaproxy } = await importSource('test/helpers/haproxy.ts')

const N = Number(process.argv[2] ?? 1000)
const SIGNALS = Number(process.argv[3] ?? 500)
const FAILOVER = Number(process.argv[4] ?? 60)
const bin = fileURLToPath(new URL('../packages/tree-server/bin/peer-tree-server.mjs', import.meta.url))
const LIMITS = ['--requests-per-second', 'Infinity', '--signals-per-second', 'Infinity', '--max-signals-per-link', '1000000', '--max-signal-bytes-per-link', '1000000000', '--max-peers-per-tree', '1000000']

const children = new Set()
process.on('exit', () => { for (const c of children) c.kill('SIGKILL') })

async function startServer (args) {
  const child = spawn(process.execPath, [bin, '--port', '0', ...LIMITS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  child.once('exit', () => children.delete(child))
  child.stderr.resume()
  const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve))
  const url = line.replace('listening on ', '')
  return { url, addr: url.replace('http://', ''), child, exited: new Promise((resolve) => child.once('exit', resolve)) }
}

/** Stop the processes and empty Redis, so that the next run's processes adopt nothing of this one's. */
async function stopAll (servers) {
  await Promise.all(servers.map(async (s) => { s.child.kill('SIGKILL'); await s.exited }))
  const store = await RedisStore.connect(redis.url)
  await store.client.sendCommand(['FLUSHALL'])
  await store.close()
}

const open = (s) => new Promise((resolve) => s.once('connect', resolve))
const socket = (url, opts = {}) => connect(url, { transports: ['websocket'], forceNew: true, ...opts })
const next = (s, event, match = () => true) => new Promise((resolve) => {
  const fn = (msg) => { if (match(msg)) { s.off(event, fn); resolve(msg) } }
  s.on(event, fn)
})
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))] }

async function joinsPerSecond (servers) {
  const source = socket(servers[0].url)
  await open(source)
  source.emit('tree:create', { ref: 'bench', k: 4, k1: 10 })
  const { treeID } = await next(source, 'tree:discover')
  const clients = Array.from({ length: N }, (_, i) => socket(servers[i % servers.length].url))
  await Promise.all(clients.map(open))
  let refused = 0
  const t0 = performance.now()
  await Promise.all(clients.map((c) => new Promise((resolve) => {
    c.once('tree:discover', resolve)
    // A refusal that passes (the store gave up after its retries) is asked again, as the client does.
    c.on('tree:error', (e) => { refused++; if (e.code === 'STORE_UNAVAILABLE' || e.code === 'RATE_LIMITED') c.emit('tree:join', { treeID }) })
    c.emit('tree:join', { treeID })
  })))
  const seconds = (performance.now() - t0) / 1000
  for (const c of [source, ...clients]) c.disconnect()
  return { rate: Math.round(N / seconds), refused }
}

async function signalLatency (parentUrl, childUrl) {
  const parent = socket(parentUrl)
  const child = socket(childUrl)
  await Promise.all([open(parent), open(child)])
  parent.emit('tree:create', { ref: 'lat' })
  const { treeID } = await next(parent, 'tree:discover')
  child.emit('tree:join', { treeID })
  const { session } = await next(child, 'tree:discover')
  // An offer each way first: the server drops ICE candidates before their sender's SDP.
  parent.on('peer:signal', (m) => { if (m.signal.type !== 'offer') parent.emit('peer:signal', { treeID, session, signal: m.signal }) })
  const rtts = []
  for (let i = 0; i < SIGNALS; i++) {
    const t = performance.now()
    const back = next(child, 'peer:signal', (m) => m.signal.n === i)
    child.emit('peer:signal', { treeID, session, signal: i === 0 ? { type: 'offer', sdp: 'x', n: i } : { type: 'answer', sdp: 'x', n: i } })
    if (i === 0) { parent.emit('peer:signal', { treeID, session, signal: { type: 'offer', sdp: 'x', n: i } }) }
    await back
    rtts.push(performance.now() - t)
  }
  parent.disconnect()
  child.disconnect()
  return { median: median(rtts), p99: pct(rtts, 0.99) }
}

async function failover (servers, lb) {
  const source = socket(lb.url)
  await open(source)
  source.emit('tree:create', { ref: 'fo', k: 8, k1: 16 })
  const { treeID } = await next(source, 'tree:discover')
  const clients = [{ c: source, token: null }]
  for (let i = 0; i < FAILOVER; i++) {
    // socket.io's default reconnection (first retry after 0.5-1.5 s), as a PeerTreeClient's socket has.
    const c = socket(lb.url)
    await open(c)
    c.emit('tree:join', { treeID })
    clients.push({ c, token: (await next(c, 'tree:discover')).token })
  }
  const sockets = await Promise.all(servers.map(async (s) => Number((await (await fetch(`${s.url}/metrics`)).text()).split('\n').find((l) => l.startsWith('peer_tree_sockets '))?.split(' ')[1])))
  const victim = servers[sockets.indexOf(Math.max(...sockets))]
  const resumed = []
  let dropped = 0
  let t0 = 0
  for (const x of clients) {
    if (x.token === null) continue
    x.c.once('disconnect', () => {
      dropped++
      // As the client does: resume once the socket is connected again (through the balancer).
      x.c.once('connect', () => {
        x.c.emit('tree:resume', { treeID, token: x.token })
        void next(x.c, 'tree:discover', (d) => d.reason === 'resume').then(() => { resumed.push(performance.now() - t0) })
      })
    })
  }
  t0 = performance.now()
  victim.child.kill('SIGKILL')
  await new Promise((resolve) => {
    const check = setInterval(() => { if (dropped > 0 && resumed.length === dropped) { clearInterval(check); resolve() } }, 20)
  })
  const held = dropped
  for (const x of clients) x.c.disconnect()
  return { held, median: median(resumed), max: Math.max(...resumed) }
}

console.log(`machine: ${machine}`)
const redis = await startRedisServer()
try {
  console.log(`\n1. ${N} clients join one tree at once`)
  console.log('| store | processes | joins/s | refusals retried |')
  console.log('| --- | --- | --- | --- |')
  {
    const servers = [await startServer([])]
    const r = await joinsPerSecond(servers)
    console.log(`| memory | 1 | ${r.rate} | ${r.refused} |`)
    await stopAll(servers)
  }
  for (const n of [1, 2, 4]) {
    const servers = await Promise.all(Array.from({ length: n }, () => startServer(['--redis', redis.url])))
    const r = await joinsPerSecond(servers)
    console.log(`| Redis | ${n} | ${r.rate} | ${r.refused} |`)
    await stopAll(servers)
  }

  console.log(`\n2. signal relay, child → parent → child, ${SIGNALS} round trips (ms)`)
  console.log('| ends | median | p99 |')
  console.log('| --- | --- | --- |')
  {
    const [mem] = [await startServer([])]
    const r = await signalLatency(mem.url, mem.url)
    console.log(`| one process, memory store | ${r.median.toFixed(3)} | ${r.p99.toFixed(3)} |`)
    await stopAll([mem])
    const servers = await Promise.all([0, 1].map(() => startServer(['--redis', redis.url])))
    const same = await signalLatency(servers[0].url, servers[0].url)
    console.log(`| one process, on Redis (adapter) | ${same.median.toFixed(3)} | ${same.p99.toFixed(3)} |`)
    const cross = await signalLatency(servers[0].url, servers[1].url)
    console.log(`| two processes, on Redis | ${cross.median.toFixed(3)} | ${cross.p99.toFixed(3)} |`)
    await stopAll(servers)
  }

  console.log(`\n3. failover: ${FAILOVER} clients on 3 processes behind haproxy; the busiest process is SIGKILLed`)
  {
    const servers = await Promise.all([0, 1, 2].map(() => startServer(['--redis', redis.url, '--grace-ms', '10000'])))
    const lb = await startHaproxy(servers.map((s) => s.addr))
    await lb.waitForUp(servers.map((s) => s.addr))
    const r = await failover(servers, lb)
    console.log(`its ${r.held} clients resumed on the others: median ${r.median.toFixed(0)} ms, last ${r.max.toFixed(0)} ms after the kill (socket.io's default reconnection delay, 0.5-1.5 s, included)`)
    await lb.stop()
    await stopAll(servers)
  }
} finally {
  await redis.stop()
}
process.exit(0)
