// The workload both systems carry in the comparison, and the figures made of what they did:
// one publisher, the same number of receivers, the same entries at the same pace. Pure, apart
// from the clock the pacer sleeps on.

/** The workload of the issue: 25 nodes in one process, 2,000 entries at 400/s. */
export const DEFAULT_WORKLOAD = Object.freeze({
  receivers: 24,
  entries: 2000,
  rate: 400,
  // Entries published back to back per tick (the churn demo's pacing: 20 every 50 ms).
  burst: 20,
  entryBytes: 100
})

/**
 * How long after the last publish deliveries are counted. gossipsub forgets a message id
 * after its seen-cache TTL (2 minutes): a copy that arrives later is new to it, delivered
 * and forwarded again, so an overloaded swarm past that point measures its own echo.
 */
export const DELIVERY_WINDOW_MS = 120_000

/** What each side runs with (the rest are each system's defaults). */
export const FEED_SETTINGS = Object.freeze({ trees: 3 })
export const GOSSIPSUB_SETTINGS = Object.freeze({ D: 6, globalSignaturePolicy: 'StrictSign' })

/** An entry of `bytes` bytes whose first four carry its index (how a receiver times it). */
export function entryPayload (index, bytes) {
  const payload = new Uint8Array(Math.max(4, bytes))
  new DataView(payload.buffer).setUint32(0, index)
  for (let i = 4; i < payload.length; i++) payload[i] = (index + i) & 0xff
  return payload
}

/** The index an entry carries. */
export function entryIndex (payload) {
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0)
}

/**
 * Publishes `entries` entries through `publish(index, payload)`, `burst` at a time, at `rate`
 * entries per second; records when each was handed over in `sentAt` (performance.now()).
 * Resolves once the last was handed over; `publish` handles its own failures.
 */
export async function publishPaced ({ entries, rate, burst, entryBytes }, sentAt, publish) {
  const start = performance.now()
  for (let i = 0; i < entries; i += burst) {
    // Sleep until this burst is due, from the start, so slow bursts do not stretch the run.
    const due = start + (i * 1000) / rate
    const wait = due - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    for (let j = i; j < Math.min(entries, i + burst); j++) {
      const payload = entryPayload(j, entryBytes)
      sentAt[j] = performance.now()
      publish(j, payload)
    }
  }
}

/**
 * Counts what the receivers deliver: the first copy of each entry per receiver (with its
 * latency from `sentAt`) and copies delivered again (a system that forgot it had the entry).
 * `receiver()` makes one receiver's `deliver(index)`.
 */
export function deliveryTally (sentAt) {
  const tally = {
    latencies: [],
    deliveries: 0,
    redelivered: 0,
    lastDelivery: 0,
    receiver () {
      const seen = new Uint8Array(sentAt.length)
      return (index) => {
        const now = performance.now()
        if (seen[index] === 1) { tally.redelivered++; return }
        seen[index] = 1
        tally.latencies.push(now - sentAt[index])
        tally.deliveries++
        tally.lastDelivery = now
      }
    }
  }
  return tally
}

/**
 * CPU ms per second the process spends with nothing published, over `ms`: what a swarm costs
 * just to stay up (heartbeats, keep-alives, WebRTC's own threads), apart from the workload.
 */
export async function idleCpuMsPerSecond (ms = 2000) {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await new Promise((resolve) => setTimeout(resolve, ms))
  const cpu = process.cpuUsage(cpu0)
  return (cpu.user + cpu.system) / 1000 / ((performance.now() - t0) / 1000)
}

/** The value at quantile `f` of ascending `sorted` (NaN when empty). */
export function quantile (sorted, f) {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]
}

/**
 * The figures of one side from its raw counts: `deliveries` entries delivered (first copies),
 * `latencies` (ms, one per delivery), `copies` (every copy of an entry received, the first
 * included), `bytesReceived` (protocol bytes the receivers read), `cpuMs` (the process's CPU
 * time over the run), `expected` deliveries.
 */
export function sideFigures ({ deliveries, expected, latencies, copies, bytesReceived, cpuMs }) {
  const sorted = [...latencies].sort((a, b) => a - b)
  const per = (x) => (deliveries === 0 ? NaN : x / deliveries)
  return {
    deliveries,
    deliveryRatio: expected === 0 ? NaN : deliveries / expected,
    cpuMsPerDelivery: per(cpuMs),
    latencyP50Ms: quantile(sorted, 0.5),
    latencyP99Ms: quantile(sorted, 0.99),
    copiesPerEntry: per(copies),
    bytesPerEntry: per(bytesReceived),
    cpuMs
  }
}

/** How many times more the other system spends than the feed, figure by figure. */
export function ratios (gossipsub, feed) {
  const r = (key) => gossipsub[key] / feed[key]
  return {
    cpuPerDelivery: r('cpuMsPerDelivery'),
    latencyP50: r('latencyP50Ms'),
    latencyP99: r('latencyP99Ms'),
    copiesPerEntry: r('copiesPerEntry'),
    bytesPerEntry: r('bytesPerEntry')
  }
}
