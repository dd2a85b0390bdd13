// Signalling capacity of one server process: many raw socket.io clients (no WebRTC) join one
// tree at once; prints joins per second as the server placed them, and the resulting depth.
// Run after a build: node bench/joins.mjs [clients=2000]
import { createServer } from 'node:http'
import { cpus } from 'node:os'
import { Server } from 'socket.io'
import { io as connect } from 'socket.io-client'
import PeerTreeServer from 'peer-tree-server'

const N = Number(process.argv[2] ?? 2000)
const http = createServer()
const io = new Server(http)
const treeServer = new PeerTreeServer(io, { k: 4, k1: 10, requestsPerSecond: 1000 })
await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${http.address().port}`
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
console.log(`${N} joins in ${seconds.toFixed(2)} s: ${Math.round(N / seconds)} joins/s on one process (client sockets in the same process; ${cpus().length} × ${cpus()[0]?.model}); tree depth ${depth}`)
for (const c of clients) c.disconnect()
source.disconnect()
treeServer.close()
io.close()
process.exit(0)
