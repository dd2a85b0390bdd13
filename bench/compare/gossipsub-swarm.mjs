// The workload on js-libp2p gossipsub: one publisher and the receivers, each a libp2p node in
// this process (TCP on 127.0.0.1, noise, yamux, identify), on one topic with D = 6 and
// StrictSign (every message signed by its publisher and checked by every receiver).
// Library defaults otherwise (floodPublish on, Dlo 4, Dhi 12, Dlazy 6, heartbeat 1 s), except
// what 25 nodes on one address in one busy process need to stay connected (see `node()`).
import './promise-with-resolvers.mjs'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub } from '@chainsafe/libp2p-gossipsub'
import { DELIVERY_WINDOW_MS, GOSSIPSUB_SETTINGS, deliveryTally, entryIndex, idleCpuMsPerSecond, publishPaced, sideFigures } from './workload.mjs'
import { seededRandom } from './seeded-random.mjs'

const TOPIC = 'bench'

async function node () {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // Every node dials from 127.0.0.1: the per-host inbound rate limit (5/s) would refuse them.
    connectionManager: { inboundConnectionThreshold: Infinity, maxIncomingPendingConnections: 100, maxConnections: 200 },
    // One process runs 25 nodes: a ping answered late means a busy process, not a dead peer.
    connectionMonitor: { abortConnectionOnPingFailure: false },
    services: {
      identify: identify(),
      pubsub: gossipsub({
        ...GOSSIPSUB_SETTINGS,
        // All nodes share 127.0.0.1, which the colocation score would otherwise punish.
        scoreParams: { IPColocationFactorWhitelist: new Set(['127.0.0.1']) }
      })
    }
  })
}

/**
 * Counts what a node's gossipsub reads: the bytes of every RPC (length-prefixed frames as the
 * protocol decodes them; noise and yamux framing below it are not counted) and every message
 * copy in them, duplicates and answers to IWANT included.
 */
function countReceived (pubsub) {
  const counts = { rpcBytes: 0, messages: 0 }
  const pipe = pubsub.pipePeerReadStream.bind(pubsub)
  pubsub.pipePeerReadStream = (peerId, source) => pipe(peerId, (async function * () {
    for await (const frame of source) {
      counts.rpcBytes += frame.byteLength
      yield frame
    }
  })())
  const handle = pubsub.handleReceivedRpc.bind(pubsub)
  pubsub.handleReceivedRpc = (from, rpc) => {
    counts.messages += rpc.messages.length
    return handle(from, rpc)
  }
  return counts
}

/**
 * Each node dials `dials` others picked at random (seeded): a connected graph, not a clique.
 * A few dials at a time: a hundred noise handshakes at once in one loaded process miss their
 * 10 s timeout.
 */
async function wire (nodes, dials, random, inFlight = 4) {
  const linked = new Set()
  const pairs = []
  for (let i = 0; i < nodes.length; i++) {
    const others = nodes.map((_, j) => j).filter((j) => j !== i)
    // The next node first, so the graph is connected whatever the random picks.
    const picks = [(i + 1) % nodes.length]
    while (picks.length < Math.min(dials, others.length)) {
      const j = others[Math.floor(random() * others.length)]
      if (!picks.includes(j)) picks.push(j)
    }
    for (const j of picks) {
      const key = i < j ? `${i}-${j}` : `${j}-${i}`
      if (linked.has(key)) continue
      linked.add(key)
      pairs.push([nodes[i], nodes[j]])
    }
  }
  const outcomes = []
  for (let k = 0; k < pairs.length; k += inFlight) {
    outcomes.push(...await Promise.all(pairs.slice(k, k + inFlight).map(([from, to]) => dialWithRetries(from, to))))
  }
  return { connections: outcomes.filter((ok) => ok).length, failedDials: outcomes.filter((ok) => !ok).length }
}

/** A dial retried twice: a process this busy can miss a handshake's timeout. */
async function dialWithRetries (from, to, tries = 3) {
  for (let t = 1; t <= tries; t++) {
    try {
      await from.dial(to.getMultiaddrs()[0])
      return true
    } catch {
      if (t === tries) return false
    }
  }
}

async function until (check, ms) {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) return false
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return true
}

/**
 * Runs the workload; resolves with the side's figures and how the swarm was set up.
 * `deadlineMs`: how long after the last publish deliveries are waited for; `settleMs`: how
 * long after the last delivery (or the deadline) the counters keep counting.
 */
export async function runGossipsub (workload, { dials = 4, seed = 1, deadlineMs = DELIVERY_WINDOW_MS, settleMs = 1000 } = {}) {
  const nodes = await Promise.all(Array.from({ length: workload.receivers + 1 }, node))
  try {
    const [publisher, ...receivers] = nodes
    // Before any connection: gossipsub opens its read streams as peers connect.
    const counts = receivers.map((r) => countReceived(r.services.pubsub))
    const { connections, failedDials } = await wire(nodes, dials, seededRandom(seed))
    for (const n of nodes) n.services.pubsub.subscribe(TOPIC)
    // The mesh forms at heartbeats: wait until every receiver has at least Dlo mesh peers (or
    // as many as it knows subscribers), then one more heartbeat.
    const meshReady = await until(() => receivers.every((r) => {
      const ps = r.services.pubsub
      return ps.getMeshPeers(TOPIC).length >= Math.min(4, ps.getSubscribers(TOPIC).length) && ps.getSubscribers(TOPIC).length > 0
    }), 20_000)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const meshSizes = receivers.map((r) => r.services.pubsub.getMeshPeers(TOPIC).length)

    const sentAt = new Float64Array(workload.entries)
    const tally = deliveryTally(sentAt)
    for (const r of receivers) {
      // A copy that arrives after the seen-cache forgot the message is delivered again: the
      // tally counts it apart.
      const deliver = tally.receiver()
      r.services.pubsub.addEventListener('message', (evt) => {
        if (evt.detail.topic === TOPIC) deliver(entryIndex(evt.detail.data))
      })
    }
    const expected = workload.entries * receivers.length
    const idleCpu = await idleCpuMsPerSecond()
    for (const c of counts) { c.rpcBytes = 0; c.messages = 0 }
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    let publishFailures = 0
    await publishPaced(workload, sentAt, (_, payload) => { publisher.services.pubsub.publish(TOPIC, payload).catch(() => { publishFailures++ }) })
    await until(() => tally.deliveries >= expected, deadlineMs)
    await new Promise((resolve) => setTimeout(resolve, settleMs))
    const cpu = process.cpuUsage(cpu0)
    const sum = (key) => counts.reduce((n, c) => n + c[key], 0)
    return {
      figures: sideFigures({
        deliveries: tally.deliveries,
        expected,
        latencies: tally.latencies,
        copies: sum('messages'),
        bytesReceived: sum('rpcBytes'),
        cpuMs: (cpu.user + cpu.system) / 1000
      }),
      setup: { idleCpuMsPerSecond: idleCpu, connections, failedDials, meshReady, meshMin: Math.min(...meshSizes), meshMax: Math.max(...meshSizes), publishFailures, redelivered: tally.redelivered, lastDeliveryMs: tally.lastDelivery - t0 }
    }
  } finally {
    await Promise.all(nodes.map((n) => n.stop()))
  }
}
