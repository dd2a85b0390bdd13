// The `peer-tree-server` command as a process: N raw socket.io clients (no WebRTC) join one
// tree through it; prints joins per second, what /metrics says, and how long a SIGTERM drain
// takes until every client was told and until the process exited.
// Run after a build: node bench/server-command.mjs [clients=1000]
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { io as connect } from 'socket.io-client'
import { machine } from './lib.mjs'

const N = Number(process.argv[2] ?? 1000)
const bin = fileURLToPath(new URL('../packages/tree-server/bin/peer-tree-server.mjs', import.meta.url))
const child = spawn(process.execPath, [bin, '--port', '0', '--requests-per-second', '1000'], { stdio: ['ignore', 'pipe', 'ignore'] })
const line = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve))
const url = line.replace('listening on ', '')
const open = (s) => new Promise((resolve) => s.once('connect', resolve))

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

const told = clients.map((c) => new Promise((resolve) => c.once('server:draining', resolve)))
const exited = new Promise((resolve) => child.once('exit', resolve))
const t1 = performance.now()
child.kill('SIGTERM')
await Promise.all(told)
const toldMs = performance.now() - t1
const code = await exited
const exitMs = performance.now() - t1
for (const c of clients) c.disconnect()

console.log(machine)
console.log(`${N} joins through the command: ${(N / joinSeconds).toFixed(0)}/s; /metrics: peer_tree_members ${sample('peer_tree_members')}, peer_tree_joins_total ${sample('peer_tree_joins_total')}, mean placement ${(placementSum / placements * 1e6).toFixed(1)} µs`)
console.log(`SIGTERM drain of ${N + 1} sockets: all told (server:draining) in ${toldMs.toFixed(0)} ms, exit ${code} after ${exitMs.toFixed(0)} ms`)
