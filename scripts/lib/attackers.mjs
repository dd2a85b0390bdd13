// Hostile peers of a feed, built from the real pieces: raw socket.io clients that speak the
// tree protocol, and PeerTreeClients on real WebRTC (@roamhq/wrtc) that speak the feed's
// wire. The hostile swarm tests (test/hostile) and the hostile demo (scripts/demo.mjs
// --hostile) share them, so what the tests prove is what the demo shows.
// Each attacker owns its sockets, clients and timers, and `close()` ends them all.
import { io as connect } from 'socket.io-client'
import wrtc from '@roamhq/wrtc'
import { PeerTreeClient } from 'peer-tree-client'
import { encodeMessage, MessageType } from 'peer-tree-broadcast'

/** The owned tree IDs of feed `key`: `<key>.0` … `<key>.<trees-1>`. */
export function feedTreeIDs (key, trees) {
  return Array.from({ length: trees }, (_, i) => `${key}.${i}`)
}

function openSocket (url) {
  return connect(url, { transports: ['websocket'], forceNew: true })
}

/**
 * Raw signalling clients with no WebRTC at all. Each joins the given trees as a relay and
 * reports `peer:connected` for every link the server hands it, a link it never opens; a
 * `peer:child` it is given is never answered. With `signalFlood`, each also pushes ICE
 * candidates (before any offer) on every link it is given.
 *
 * `trees` are tree indices of the feed (default: 0..2). Figures are in `stats`.
 */
export function eclipseSockets (url, key, { count = 4, trees = [0, 1, 2], signalFlood } = {}) {
  const stats = { joined: 0, confirmed: 0, childrenOffered: 0, signalsSent: 0, signalBytes: 0, errors: {} }
  /** Every peerID the server gave these sockets, per tree index. */
  const peerIDs = trees.map(() => new Set())
  const sockets = []
  const timers = new Set()
  const ready = []
  for (let n = 0; n < count; n++) {
    const socket = openSocket(url)
    sockets.push(socket)
    const placed = new Set()
    ready.push(new Promise((resolve) => {
      socket.on('tree:discover', (msg) => {
        const t = trees.findIndex((i) => msg?.treeID === `${key}.${i}`)
        if (t < 0) return
        peerIDs[t].add(msg.peerID)
        if (msg.session !== null && msg.session !== undefined) {
          socket.emit('peer:connected', { treeID: msg.treeID, session: msg.session })
          stats.confirmed++
          if (signalFlood !== undefined) flood(socket, msg.treeID, msg.session)
        }
        placed.add(msg.treeID)
        if (placed.size === trees.length) resolve()
      })
    }))
    socket.on('peer:child', () => { stats.childrenOffered++ })
    socket.on('tree:error', (msg) => { stats.errors[msg?.code] = (stats.errors[msg?.code] ?? 0) + 1 })
    for (const i of trees) socket.emit('tree:join', { treeID: `${key}.${i}`, role: 'relay' })
    stats.joined += trees.length
  }
  function flood (socket, treeID, session) {
    const { count: n = 100, bytes = 4096 } = signalFlood
    const signal = { type: 'candidate', candidate: { candidate: `candidate:${'x'.repeat(bytes)}`, sdpMid: '0', sdpMLineIndex: 0 } }
    const size = JSON.stringify(signal).length
    let sent = 0
    // A burst per tick rather than one loop, so the socket keeps draining between bursts.
    const burst = () => {
      for (let i = 0; i < 20 && sent < n && socket.connected; i++, sent++) {
        socket.emit('peer:signal', { treeID, session, signal })
        stats.signalsSent++
        stats.signalBytes += size
      }
      if (sent < n && socket.connected) later(burst, 10)
    }
    burst()
  }
  function later (fn, ms) {
    const timer = setTimeout(() => { timers.delete(timer); fn() }, ms)
    timers.add(timer)
  }
  return {
    stats,
    peerIDs,
    sockets,
    /** Resolves once every socket was placed in every tree it joined. */
    placed: Promise.all(ready),
    close () {
      for (const t of timers) clearTimeout(t)
      timers.clear()
      for (const s of sockets) s.disconnect()
    }
  }
}

/** Sends on a simple-peer only while its data channel is open: a send on a closing channel can crash native WebRTC. */
function trySend (peer, bytes) {
  if (peer.destroyed || peer._channel?.readyState !== 'open') return false
  try {
    peer.send(bytes)
    return true
  } catch {
    return false
  }
}

/** True for an encoded BLOCK message as our encoder writes it: a 4-element msgpack array, type 0. */
function isBlockMessage (bytes) {
  return bytes.length > 2 && bytes[0] === 0x94 && bytes[1] === MessageType.BLOCK
}

/**
 * A valid BLOCK message with `junk` bytes appended as a fifth array element: the decoder
 * ignores trailing elements, so the block still verifies.
 */
export function withJunk (block, junk) {
  const head = junk.length < 0x10000 ? Uint8Array.of(0xc5, junk.length >> 8, junk.length & 0xff) : Uint8Array.of(0xc6, junk.length >>> 24, (junk.length >> 16) & 0xff, (junk.length >> 8) & 0xff, junk.length & 0xff)
  const out = new Uint8Array(block.length + head.length + junk.length)
  out.set(block)
  out[0] = 0x95
  out.set(head, block.length)
  out.set(junk, block.length + head.length)
  return out
}

/**
 * A member of the feed's trees on real WebRTC, a relay in every tree it joins (roles are
 * self-declared), that misbehaves on the feed's wire:
 * - `forward: false`: accepts children and forwards nothing (a silent relay);
 * - `have`: tells every new child that the log reaches this block index (a far-future HAVE);
 * - `junkBytes`: forwards every block with that many junk bytes appended;
 * - `record`: keeps the first `record` blocks it relays, for `replay()` later;
 * - `wantFlood(...)`: sends WANTs up to its parent, as fast as the channel takes them.
 * Otherwise it relays what its upstream sends, unchanged, in the same tree; with
 * `passWants` it also passes its children's messages (WANTs) up, so their backfill works
 * through it; without, it ignores them.
 */
export function hostileRelay (url, key, { trees = [0, 1, 2], forward = true, passWants = false, have, junkBytes = 0, record = 0, timeout = 2000 } = {}) {
  const socket = openSocket(url)
  const junk = new Uint8Array(junkBytes).fill(0x6a)
  const stats = { children: 0, upstreams: 0, upstreamsLost: 0, bytesIn: 0, bytesOut: 0, blocksIn: 0, havesIn: 0, wantsSent: 0, replayed: 0 }
  const recorded = []
  const members = trees.map((index) => {
    const client = new PeerTreeClient(socket, { wrtc, timeout })
    const member = { index, client, upstream: null, downstreams: new Set() }
    client.on('error', () => {}) // refusals and link failures are part of the game
    client.on('upstreamPeer', (peer) => {
      stats.upstreams++
      member.upstream = peer
      peer.on('data', (chunk) => {
        stats.bytesIn += chunk.length
        const block = isBlockMessage(chunk)
        if (block) stats.blocksIn++
        else if (chunk.length > 1 && (chunk[0] === 0x92 || chunk[0] === 0x93) && chunk[1] === MessageType.HAVE) stats.havesIn++
        if (block && recorded.length < record) recorded.push(Uint8Array.from(chunk))
        if (!forward) return
        const out = block && junkBytes > 0 ? withJunk(chunk, junk) : chunk
        for (const down of member.downstreams) if (trySend(down, out)) stats.bytesOut += out.length
      })
    })
    client.on('disconnect', () => { stats.upstreamsLost++; member.upstream = null })
    client.on('downstreamPeer', (peer) => {
      stats.children++
      member.downstreams.add(peer)
      peer.on('data', (chunk) => {
        if (passWants && member.upstream !== null && trySend(member.upstream, chunk)) stats.bytesOut += chunk.length
      })
      peer.on('close', () => { member.downstreams.delete(peer) })
      peer.on('error', () => { member.downstreams.delete(peer) })
      if (have !== undefined) {
        const bytes = encodeMessage({ type: MessageType.HAVE, highest: have })
        if (trySend(peer, bytes)) stats.bytesOut += bytes.length
      }
    })
    return member
  })
  // socket.io-client holds the joins until the socket is connected.
  for (const m of members) m.client.connect(`${key}.${m.index}`, { role: 'relay' })
  const sendDown = (bytes) => {
    let n = 0
    for (const m of members) for (const down of m.downstreams) if (trySend(down, bytes)) { stats.bytesOut += bytes.length; n++ }
    return n
  }
  return {
    stats,
    recorded,
    socket,
    /** This attacker's peerID in each tree it joined (null until placed). */
    peerIDs: () => members.map((m) => m.client.peerID),
    /** Connected children, over all trees. */
    childCount: () => members.reduce((n, m) => n + m.downstreams.size, 0),
    /** Connected upstreams, over all trees. */
    upstreamCount: () => members.filter((m) => m.upstream !== null && !m.upstream.destroyed).length,
    /** Sends each encoded message to every child in every tree; returns the sends made. */
    sendDown (messages) {
      let n = 0
      for (const bytes of messages) n += sendDown(bytes)
      return n
    },
    /** Sends the recorded blocks (or `blocks`) again to every child; returns the sends made. */
    replay (blocks = recorded) {
      let n = 0
      for (const bytes of blocks) n += sendDown(bytes)
      stats.replayed += n
      return n
    },
    /** Sends raw bytes to the parent in every tree (or in tree `tree`); returns the sends made. */
    sendUp (bytes, tree) {
      let n = 0
      for (const m of members) {
        if (tree !== undefined && m.index !== tree) continue
        if (m.upstream !== null && trySend(m.upstream, bytes)) { stats.bytesOut += bytes.length; n++ }
      }
      return n
    },
    /**
     * Sends `count` WANTs for `from`..`to` to the parent in tree `tree` (`step` moves the
     * range on each time); returns the WANTs sent (fewer if the link is gone).
     */
    wantFlood ({ tree = trees[0], from, to, count, step = 0 }) {
      const m = members.find((x) => x.index === tree)
      let sent = 0
      for (let i = 0; i < count; i++) {
        const up = m?.upstream
        if (up == null) break
        const bytes = encodeMessage({ type: MessageType.WANT, from: from + i * step, to: to + i * step })
        if (!trySend(up, bytes)) break
        stats.wantsSent++
        stats.bytesOut += bytes.length
        sent++
      }
      return sent
    },
    close () {
      for (const m of members) m.client.destroy()
      socket.disconnect()
    }
  }
}
