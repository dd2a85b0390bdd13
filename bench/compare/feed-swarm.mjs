// The workload on a peer-tree feed: a source and the subscribers, each a Feed in this process
// over real WebRTC data channels (@roamhq/wrtc) with a socket.io signalling server on
// 127.0.0.1; 3 trees, the feed's defaults otherwise (k = 3, k1 = 4, node:crypto Ed25519).
import { io as connect } from 'socket.io-client'
import wrtc from '@roamhq/wrtc'
import { Feed, createNodeEd25519 } from 'peer-tree-broadcast'
import { startSignalServer } from '../lib.mjs'
import { DELIVERY_WINDOW_MS, FEED_SETTINGS, deliveryTally, entryIndex, idleCpuMsPerSecond, publishPaced, sideFigures } from './workload.mjs'

async function until (check, ms) {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return true
}

/**
 * Runs the workload; resolves with the side's figures and how the trees were set up.
 * `deadlineMs`: how long after the last publish deliveries are waited for; `settleMs`: how
 * long after the last delivery (or the deadline) the counters keep counting.
 */
export async function runFeed (workload, { deadlineMs = DELIVERY_WINDOW_MS, settleMs = 1000 } = {}) {
  const ed25519 = createNodeEd25519()
  const server = await startSignalServer()
  const sockets = []
  const socket = () => { const s = connect(server.url, { transports: ['websocket'], forceNew: true }); sockets.push(s); return s }
  const source = await Feed.create(socket(), { wrtc, ed25519, ...FEED_SETTINGS })
  const subs = []
  try {
    for (const sub of await Promise.all(Array.from({ length: workload.receivers }, () => Feed.join(socket(), source.key, { wrtc, ed25519 })))) {
      sub.on('error', () => {})
      subs.push(sub)
    }
    const treesUp = await until(() => subs.every((s) => s.stats().trees === FEED_SETTINGS.trees), 30_000)

    const sentAt = new Float64Array(workload.entries)
    const tally = deliveryTally(sentAt)
    for (const sub of subs) {
      const deliver = tally.receiver()
      sub.on('entry', ({ data }) => deliver(entryIndex(data)))
    }
    const expected = workload.entries * subs.length
    // Counters are totals since each link opened: take them at the start and subtract.
    const totals = () => subs.reduce((t, s) => {
      const st = s.stats()
      return { bytes: t.bytes + st.bytesReceived, blockCopies: t.blockCopies + st.blocks + st.duplicates }
    }, { bytes: 0, blockCopies: 0 })
    const idleCpu = await idleCpuMsPerSecond()
    const before = totals()
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    let appendFailures = 0
    await publishPaced(workload, sentAt, (_, payload) => { source.append(payload).catch(() => { appendFailures++ }) })
    await until(() => tally.deliveries >= expected, deadlineMs)
    await new Promise((resolve) => setTimeout(resolve, settleMs))
    const cpu = process.cpuUsage(cpu0)
    const after = totals()
    const blocks = source.stats().blocks
    // A copy of a block is a copy of each of its entries.
    const entriesPerBlock = workload.entries / Math.max(1, blocks)
    return {
      figures: sideFigures({
        deliveries: tally.deliveries,
        expected,
        latencies: tally.latencies,
        copies: (after.blockCopies - before.blockCopies) * entriesPerBlock,
        bytesReceived: after.bytes - before.bytes,
        cpuMs: (cpu.user + cpu.system) / 1000
      }),
      setup: { idleCpuMsPerSecond: idleCpu, treesUp, appendFailures, blocks, entriesPerBlock, redelivered: tally.redelivered, lastDeliveryMs: tally.lastDelivery - t0 }
    }
  } finally {
    source.close()
    for (const s of subs) s.close()
    for (const s of sockets) s.disconnect()
    server.close()
  }
}
