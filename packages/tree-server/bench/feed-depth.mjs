// Depth of a feed's trees on the real server (built dist, real socket.io), without WebRTC:
// each subscriber is a raw socket that joins every tree, as a relay in its home tree and a
// leaf in the others (as peer-tree-broadcast does), and confirms each link it is given.
// Prints, per tree, the relays' depth beside the breadth-first optimum for that many relays,
// and a base tree beside them: the same subscribers, k and k1, every one a relay.
// Run: pnpm run build && node packages/tree-server/bench/feed-depth.mjs [subscribers...]
import { createServer } from 'node:http'
import { Server } from 'socket.io'
import { io as connect } from 'socket.io-client'
import { PeerTreeServer } from '../dist/index.js'

const TREES = 3
const K = 3
const K1 = 4
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0)

/** Deterministic choices, so that before and after compare the same runs. */
function lcg (seed) {
  let x = seed >>> 0
  return () => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x / 2 ** 32 }
}

/** Depth of the n-th relay (1-based) in a breadth-first-optimal tree: levels of k1, k1·k, ... */
function optimumDepth (n) {
  let level = 0
  for (let width = K1, seen = 0; seen < n; width *= K) { level++; seen += width }
  return level
}

function once (socket, event, filter = () => true) {
  return new Promise((resolve) => {
    const fn = (msg) => { if (filter(msg)) { socket.off(event, fn); resolve(msg) } }
    socket.on(event, fn)
  })
}

async function run (n, seed) {
  const http = createServer()
  const io = new Server(http)
  const treeServer = new PeerTreeServer(io, { requestsPerSecond: 10_000, signalsPerSecond: 10_000, reconnectGraceMs: 0 })
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${http.address().port}`
  const sockets = []
  const open = () => { const s = connect(url, { transports: ['websocket'], forceNew: true }); sockets.push(s); return s }
  const random = lcg(seed)

  const source = open()
  const treeIDs = []
  for (let i = 0; i < TREES; i++) {
    const got = once(source, 'tree:discover', (m) => m.ref === `r${i}`)
    source.emit('tree:create', { ref: `r${i}`, k: K, k1: K1 })
    treeIDs.push((await got).treeID)
  }
  const baseGot = once(source, 'tree:discover', (m) => m.ref === 'base')
  source.emit('tree:create', { ref: 'base', k: K, k1: K1 })
  const baseID = (await baseGot).treeID

  const relaysIn = async () => Promise.all(treeIDs.map(async (t) => (await treeServer.snapshot(t)).peers.filter((p) => p.role === 'relay').length))
  /** A subscriber as the feed makes one: the home tree has the fewest relays (ties at random). */
  const subscribe = (relays) => {
    const socket = open()
    const fewest = Math.min(...relays)
    const ties = relays.flatMap((r, i) => (r === fewest ? [i] : []))
    const home = ties[Math.floor(random() * ties.length)]
    socket.ids = new Set()
    socket.on('tree:discover', (m) => {
      socket.ids.add(m.peerID)
      if (m.session !== null) socket.emit('peer:connected', { treeID: m.treeID, session: m.session })
    })
    socket.emit('tree:join', { treeID: treeIDs[home], role: 'relay' })
    for (let i = 0; i < TREES; i++) if (i !== home) socket.emit('tree:join', { treeID: treeIDs[i], role: 'leaf' })
    socket.emit('tree:join', { treeID: baseID, role: 'relay' })
    return socket
  }
  const settle = async (members) => {
    for (;;) {
      const snaps = await Promise.all([...treeIDs, baseID].map((t) => treeServer.snapshot(t)))
      if (snaps.every((s) => s.size === members + 1 && s.peers.every((p) => p.depth >= 0))) return snaps
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
  const report = (label, snaps) => {
    const rows = snaps.map((s, i) => {
      if (i === TREES) return `base tree (all ${s.size - 1} relays): depth ${s.peers.reduce((d, p) => Math.max(d, p.depth), 0)} (optimum ${optimumDepth(s.size - 1)})`
      const relays = s.peers.filter((p) => p.role === 'relay')
      const maxOf = (ps) => ps.reduce((d, p) => Math.max(d, p.depth), 0)
      return `tree ${i}: ${relays.length} relays, relay depth ${maxOf(relays)} (optimum ${optimumDepth(relays.length)}), tree depth ${maxOf(s.peers)}, leaves parenting ${s.peers.filter((p) => p.role === 'leaf' && p.children.length > 0).length}`
    })
    console.log(`  ${label}\n    ${rows.join('\n    ')}`)
  }

  // Everyone at once: every lookup sees no relay yet, so homes are chosen at random.
  const subs = []
  for (let i = 0; i < n; i++) subs.push(subscribe(Array(TREES).fill(0)))
  report(`${n} subscribers joining at once`, await settle(n))

  // Churn: three rounds, each kills a third of the relays that forward and adds as many new subscribers,
  // each choosing its home from the relay counts of the moment (what tree:lookup reports).
  for (let round = 1; round <= 3; round++) {
    const snaps = await Promise.all(treeIDs.map((t) => treeServer.snapshot(t)))
    const relayIDs = new Set(snaps.flatMap((s) => s.peers.filter((p) => p.role === 'relay' && p.children.length > 0).map((p) => p.peerID)))
    const victims = subs.filter((s) => [...s.ids].some((id) => relayIDs.has(id))).slice(0, Math.ceil(n / 9))
    for (const v of victims) {
      v.disconnect()
      subs.splice(subs.indexOf(v), 1)
    }
    await settle(subs.length)
    while (subs.length < n) subs.push(subscribe(await relaysIn()))
    report(`after churn round ${round}`, await settle(n))
  }

  for (const s of sockets) s.disconnect()
  treeServer.close()
  await new Promise((resolve) => io.close(() => resolve()))
}

for (const n of sizes.length > 0 ? sizes : [20, 24, 100]) {
  console.log(`k = ${K}, k1 = ${K1}, ${TREES} trees:`)
  await run(n, 7)
}
