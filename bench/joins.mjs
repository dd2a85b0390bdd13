// Signalling capacity of one server process: many raw socket.io clients (no WebRTC) join one
// tree at once; prints joins per second as the server placed them, and the resulting depth.
// Run after a build: node bench/joins.mjs [clients=2000]
import { io as connect } from 'socket.io-client'
import { machine, startSignalServer } from './lib.mjs'
import { reportFigures } from './report.mjs'

const N = Number(process.argv[2] ?? 2000)
const server = await startSignalServer({ k: 4, k1: 10, requestsPerSecond: 1000 })
const { url, treeServer } = server
const open = (s) => new Promise((resolve) => s.once('connect', resolve))

const source = connect(url, { transports: ['websocket'], forceNew: true })
await open(source)
source.emit('tree:create', { ref: 'bench' })
const { treeID } = await new Promise((resolve) => source.once('tree:discover', resolve))

// Connect every client first, so the timed part is placement and the reply only.
const clients = Array.from({ length: N }, () => connect(url, { transports: ['websocket'], forceNew: true }))
await Promise.all(clients.map(open))
const t0 = performance.now()
await Promise.all(clients.map((c) => new Promise((resolve) => {
  c.once('tree:discover', resolve)
  c.emit('tree:join', { treeID })
})))
const seconds = (performance.now() - t0) / 1000
const snapshot = await treeServer.snapshot(treeID)
const depth = Math.max(...snapshot.peers.map((p) => p.depth))
console.log(`${N} joins in ${seconds.toFixed(2)} s: ${Math.round(N / seconds)} joins/s on one process (client sockets in the same process; ${machine}); tree depth ${depth}`)
reportFigures('joins', { clients: N, seconds, joinsPerSecond: Math.round(N / seconds), depth })
for (const c of clients) c.disconnect()
source.disconnect()
server.close()
process.exit(0)
