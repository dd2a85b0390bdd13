// The two swarms the CPU bench measures, each in the process that runs it: a feed (a source and
// its subscribers, over @roamhq/wrtc data channels, signalled by the parent's server) and a
// bare tree of as many simple-peer relays in the same shape (k-ary trees, every message down
// every tree, the first copy of each kept and forwarded), which is what relaying costs with
// nothing of ours on top: no framing, signing, verification, backfill or heartbeats.
import { io as connect } from 'socket.io-client'
import wrtc from '@roamhq/wrtc'
import { connectedPair } from '../lib.mjs'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** A swarm: `publish(bytes)` sends one entry from the source, `deliveries` counts first copies at the receivers. */
export async function feedSwarm ({ Feed, createNodeEd25519 }, url, { subscribers, trees }) {
  const ed25519 = createNodeEd25519()
  const sockets = []
  const socket = () => { const s = connect(url, { transports: ['websocket'], forceNew: true }); sockets.push(s); return s }
  // Blocks of one entry: what a low rate makes, and what the bare tree sends.
  const source = await Feed.create(socket(), { wrtc, ed25519, trees, maxEntriesPerBlock: 1 })
  const subs = await Promise.all(Array.from({ length: subscribers }, () => Feed.join(socket(), source.key, { wrtc, ed25519 })))
  const swarm = {
    deliveries: 0,
    failures: 0,
    publish (bytes) { source.append(bytes).catch(() => { swarm.failures++ }) },
    blocks: () => source.stats().blocks,
    close () {
      source.close()
      for (const s of subs) s.close()
      for (const s of sockets) s.disconnect()
    }
  }
  for (const sub of subs) {
    sub.on('error', () => {})
    sub.on('entry', () => { swarm.deliveries++ })
  }
  const end = Date.now() + 30_000
  while (!subs.every((s) => s.stats().trees === trees) && Date.now() < end) await sleep(50)
  swarm.treesUp = subs.every((s) => s.stats().trees === trees)
  return swarm
}

/**
 * `trees` k-ary trees of bare simple-peer links over `receivers` nodes, each tree with its
 * interior shifted (as the feed's trees have different relays); the source has k1 children.
 */
export async function bareSwarm ({ subscribers, trees, k = 3, k1 = 4 }) {
  const pairs = []
  const children = Array.from({ length: trees }, () => Array.from({ length: subscribers }, () => []))
  const sourceEnds = []
  const swarm = { deliveries: 0, failures: 0, sent: 0, treesUp: true }
  const seen = Array.from({ length: subscribers }, () => new Set())
  for (let t = 0; t < trees; t++) {
    const order = Array.from({ length: subscribers }, (_, p) => (p + t * Math.floor(subscribers / trees)) % subscribers)
    for (let p = 0; p < subscribers; p++) {
      const node = order[p]
      const [up, down] = await connectedPair()
      pairs.push(up, down)
      if (p < k1) sourceEnds.push(up)
      else children[t][order[Math.floor((p - k1) / k)]].push(up)
      down.on('data', (data) => {
        const seq = data.readUInt32BE(0)
        if (seen[node].has(seq)) return
        seen[node].add(seq)
        swarm.deliveries++
        for (const child of children[t][node]) child.send(data)
      })
    }
  }
  swarm.publish = (bytes) => { swarm.sent++; for (const end of sourceEnds) end.send(bytes) }
  swarm.blocks = () => swarm.sent
  swarm.close = () => { for (const p of pairs) p.destroy() }
  return swarm
}
