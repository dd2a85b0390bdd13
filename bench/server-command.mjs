// The `peer-tree-server` command as a process: N raw socket.io clients (no WebRTC) join one
// tree through it; prints joins per second, what /metrics says, and how long a SIGTERM drain
// takes until every client was told and until the process exited. Then the drain through
// haproxy (the config docs/deploy.md documents): N clients connected through it to one of two
// processes; SIGTERM that one and time until every client was told, until it exited, and until
// every socket had reconnected through haproxy to the other.
// Run after a build: node bench/server-command.mjs [clients=1000]
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { io as connect } from 'socket.io-client'
import { importSource, machine } from './lib.mjs'
import { reportFigures } from './report.mjs'

// The tests' haproxy launcher (the documented config with this run's addresses), from source.
const { startHaproxy } = await importSource('test/helpers/haproxy.ts')

const N = Number(process.argv[2] ?? 1000)
const bin = fileURLToPath(new URL('../packages/tree-server/bin/peer-tree-server.mjs', import.meta.url))
const children = new Set()
process.on('exit', () => { for (const c of children) c.kill('SIGKILL') })

/** Spawns the command; resolves with the process and its URL once it says where it listens. */
async function command (...args) {
  const child = spawn(process.execPath, [bin, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
  children.add(child)
  child.once('exit', () => children.delete(child))
  const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve))
  return { child, url: line.replace('listening on ', ''), addr: line.replace('listening on http://', '') }
}
const open = (s) => new Promise((resolve) => s.once('connect', resolve))
const ms = (t) => (performance.now() - t).toFixed(0)

/** SIGTERM `server`; resolves when every client was told and the process exited, with the times from the signal. */
async function drain (server, sockets) {
  const told = sockets.map((c) => new Promise((resolve) => c.once('server:draining', resolve)))
  const exited = new Promise((resolve) => server.child.once('exit', resolve))
  const start = performance.now()
  server.child.kill('SIGTERM')
  await Promise.all(told)
  const toldMs = ms(start)
  const code = await exited
  return { start, toldMs, code, exitMs: ms(start) }
}

// 1. The command on its own.
const alone = await command('--requests-per-second', '1000')
const url = alone.url
// Reconnection is left on (as in a client) but slow, so the drain is timed without reconnects.
const clients = Array.from({ length: N + 1 }, () => connect(url, { transports: ['websocket'], forceNew: true, reconnectionDelay: 60_000 }))
await Promise.all(clients.map(open))
const [source, ...members] = clients
source.emit('tree:create', { ref: 'bench' })
const { treeID } = await new Promise((resolve) => source.once('tree:discover', resolve))
const t0 = performance.now()
await Promise.all(members.map((c) => new Promise((resolve) => {
  c.once('tree:discover', resolve)
  c.emit('tree:join', { treeID })
})))
const joinSeconds = (performance.now() - t0) / 1000

const text = await (await fetch(`${url}/metrics`)).text()
const sample = (name) => Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1])
const placements = sample('peer_tree_placement_seconds_count')
const placementSum = sample('peer_tree_placement_seconds_sum')

const { toldMs, code, exitMs } = await drain(alone, clients)
for (const c of clients) c.disconnect()

console.log(machine)
console.log(`${N} joins through the command: ${(N / joinSeconds).toFixed(0)}/s; /metrics: peer_tree_members ${sample('peer_tree_members')}, peer_tree_joins_total ${sample('peer_tree_joins_total')}, mean placement ${(placementSum / placements * 1e6).toFixed(1)} µs`)
console.log(`SIGTERM drain of ${N + 1} sockets: all told (server:draining) in ${toldMs} ms, exit ${code} after ${exitMs} ms`)

// 2. Two processes behind haproxy; the N clients on the first.
const [one, two] = await Promise.all([command('--requests-per-second', '1000'), command('--requests-per-second', '1000')])
const lb = await startHaproxy([one.addr, two.addr])
await lb.waitForUp([one.addr, two.addr])
await lb.setState(two.addr, 'maint')
await lb.waitForUp([one.addr])
const through = Array.from({ length: N }, () => connect(lb.url, { transports: ['websocket'], forceNew: true }))
await Promise.all(through.map(open))
await lb.setState(two.addr, 'ready')
await lb.waitForUp([one.addr, two.addr])

const backLb = through.map((c) => new Promise((resolve) => c.once('server:draining', () => c.once('connect', () => resolve(performance.now())))))
/** The failed reconnect attempts, by socket.io's message. */
const failedLb = new Map()
for (const c of through) c.on('connect_error', (err) => { failedLb.set(err.message, (failedLb.get(err.message) ?? 0) + 1) })
const { start, toldMs: toldLbMs, code: codeLb, exitMs: exitLbMs } = await drain(one, through)
const backTimes = (await Promise.all(backLb)).map((t) => t - start).sort((a, b) => a - b)
const at = (q) => backTimes[Math.min(backTimes.length - 1, Math.floor(q * backTimes.length))].toFixed(0)
const onTwo = Number((await (await fetch(`${two.url}/metrics`)).text()).match(/^peer_tree_sockets (\S+)$/m)?.[1])
for (const c of through) c.disconnect()
two.child.kill('SIGTERM')
await lb.stop()

console.log(`SIGTERM drain through haproxy of ${N} sockets: all told in ${toldLbMs} ms, exit ${codeLb} after ${exitLbMs} ms, ${onTwo === N ? N : `${onTwo} of ${N}`} reconnected to the other process (socket.io's own reconnect, 0.5-1.5 s after the drop): first ${at(0)} ms, median ${at(0.5)} ms, 90% ${at(0.9)} ms, last ${at(1)} ms; failed attempts on the way: ${JSON.stringify(Object.fromEntries(failedLb))}`)
reportFigures('server-command', {
  clients: N,
  joinsPerSecond: Math.round(N / joinSeconds),
  meanPlacementUs: (placementSum / placements) * 1e6,
  drainToldMs: Number(toldMs),
  drainExitMs: Number(exitMs),
  drainExitCode: code,
  haproxyToldMs: Number(toldLbMs),
  haproxyExitMs: Number(exitLbMs),
  haproxyReconnected: onTwo,
  haproxyFirstBackMs: Number(at(0)),
  haproxyMedianBackMs: Number(at(0.5)),
  haproxyLastBackMs: Number(at(1)),
  haproxyFailedAttempts: [...failedLb.values()].reduce((a, b) => a + b, 0)
})
