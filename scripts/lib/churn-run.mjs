// One run of the broadcast demo: a signalling server, a source and a swarm of real Node
// WebRTC peers (@roamhq/wrtc) on m trees; interior peers leave and newcomers join
// mid-stream. With `hostile`, attackers of every kind (attacker-process.mjs, in a process
// of their own) join too: raw sockets that confirm links they never open, silent relays,
// a far-future HAVE, a WANT flooder, a junk-appending relay and a replayer.
// Returns the figures; prints progress lines through `log`. Everything listens on 127.0.0.1,
// where the demo's pages are served during the run (demo-server.mjs): the live tree view of
// the feed, and a page that joins it. `runChurnAndServe` keeps all of it up after the figures.
import { io as connect } from 'socket.io-client'
import wrtc from '@roamhq/wrtc'
import { Feed, createNodeEd25519, verifyLog } from 'peer-tree-broadcast'
import { reportDelivery } from '../pages/delivery-report.mjs'
import { startDemoServer } from './demo-server.mjs'
import { treeDepths } from './depth.mjs'
import { RELAY_KINDS, startAttackers } from './hostile-mix.mjs'

/** One run, then everything is closed; resolves with the figures. */
export async function runChurn (opts = {}) {
  const run = await churn(opts)
  await run.close()
  return run.figures
}

/**
 * One run, and then the server, the source and the peers left stay up, the source appending
 * an entry a second, until `stop()`: the pages stay live to look at.
 */
export async function runChurnAndServe (opts = {}) {
  const run = await churn(opts)
  let i = run.figures.entries
  const timer = setInterval(() => {
    const n = i++
    // A failed append (the feed closing under it) ends nothing: the next one tries again.
    run.feed.append({ i: n, t: performance.now(), text: `entry ${n} (serving)` }).catch(() => {})
  }, 1000)
  return {
    figures: run.figures,
    pages: run.pages,
    stop: async () => {
      clearInterval(timer)
      await run.close()
    }
  }
}

async function churn ({ peers: PEERS = 24, trees: TREES = 3, entries: ENTRIES = 2000, rate: RATE = 400, churn: CHURN = 8, hostile = false, eclipseSockets = 2, deliveryMs = hostile ? 30_000 : 60_000, port = 0, log = console.log } = {}) {
  const ed25519 = createNodeEd25519()
  const server = await startDemoServer({ port })
  const { url, treeServer } = server
  const sockets = []
  const reporters = []
  const socket = () => { const s = connect(url, { transports: ['websocket'], forceNew: true }); sockets.push(s); return s }
  const cpu0 = process.cpuUsage()
  let rssPeak = process.memoryUsage().rss
  const rssSampler = setInterval(() => { rssPeak = Math.max(rssPeak, process.memoryUsage().rss) }, 100)
  log(`signalling server on ${url}`)

  const sourceSocket = socket()
  const feed = await Feed.create(sourceSocket, { wrtc, ed25519, trees: TREES })
  reporters.push(reportDelivery(sourceSocket, feed, { key: feed.key, name: 'source', source: true }))
  log(`feed ${feed.key} on ${TREES} trees`)
  const pages = server.pages(feed.key)
  log(`live tree view: ${pages.tree}  (join from a page: ${pages.feed})`)
  const attackers = hostile ? startAttackers() : undefined
  const allTrees = Array.from({ length: TREES }, (_, i) => i)
  // The cheapest attack first: raw sockets, as soon as the feed exists.
  if (attackers !== undefined && eclipseSockets > 0) await attackers.eclipse(url, feed.key, eclipseSockets, allTrees)

  const peers = []
  let started = false
  async function join (name) {
    const s = socket()
    const sub = await Feed.join(s, feed.key, { wrtc, ed25519 })
    const reporter = reportDelivery(s, sub, { key: feed.key, name })
    reporters.push(reporter)
    const peer = { name, sub, reporter, seqs: 0, inOrder: true, latencies: [], left: false, joinedAt: performance.now(), newcomer: started }
    sub.on('entry', ({ seq, data }) => {
      if (seq !== peer.seqs) peer.inOrder = false
      peer.seqs++
      // Live latency only: history a newcomer backfills was appended before it joined.
      if (data.t >= peer.joinedAt) peer.latencies.push(performance.now() - data.t)
    })
    sub.on('error', () => {})
    peers.push(peer)
    return peer
  }
  const t0 = performance.now()
  if (attackers === undefined) {
    await Promise.all(Array.from({ length: PEERS }, (_, i) => join(`p${i}`)))
  } else {
    // Mixed in: a batch of honest joiners, then the next relaying attacker, and so on.
    const batch = Math.ceil(PEERS / (RELAY_KINDS.length + 1))
    for (let i = 0, a = 0; i < PEERS; i += batch, a++) {
      await Promise.all(Array.from({ length: Math.min(batch, PEERS - i) }, (_, j) => join(`p${i + j}`)))
      if (a < RELAY_KINDS.length) await attackers.relay(url, feed.key, RELAY_KINDS[a], allTrees)
    }
  }
  started = true
  const allTreesUp = await waitFor(() => peers.every((p) => p.sub.stats().trees === TREES), 30_000)
  const joinMs = Math.round(performance.now() - t0)
  log(allTreesUp
    ? `${PEERS} subscribers joined all ${TREES} trees in ${joinMs} ms`
    : `after ${joinMs} ms, ${peers.filter((p) => p.sub.stats().trees === TREES).length} of ${PEERS} subscribers have an upstream in all ${TREES} trees`)
  const forwarding = peers.map((p) => new Set(p.sub.forest.downstreams().map((l) => l.tree)).size)
  log(`forwarding: ${forwarding.filter((n) => n === 1).length} peers in one tree, ${forwarding.filter((n) => n > 1).length} in several, ${forwarding.filter((n) => n === 0).length} leaves everywhere`)

  // Append at RATE entries/s; kill interior peers (and add newcomers) through the middle of the run.
  const churnAt = new Set(Array.from({ length: CHURN }, (_, i) => Math.floor(ENTRIES * (0.25 + (0.5 * i) / Math.max(1, CHURN)))))
  let killed = 0
  const appends = []
  for (let i = 0; i < ENTRIES; i++) {
    appends.push(feed.append({ i, t: performance.now(), text: `entry ${i}` }))
    if (churnAt.has(i)) {
      const interior = peers.filter((p) => !p.left && p.sub.forest.downstreams().length > 0)
      const victim = interior[Math.floor(Math.random() * interior.length)]
      if (victim !== undefined) {
        victim.left = true
        victim.reporter.close()
        victim.sub.close()
        victim.sub.forest.socket.disconnect()
        killed++
        void join(`new${killed}`)
      }
    }
    if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, (20 * 1000) / RATE))
  }
  await Promise.all(appends)
  const members = () => peers.filter((p) => !p.left)
  const complete = await waitFor(() => members().every((p) => p.seqs >= ENTRIES), deliveryMs)

  // Figures.
  const alive = members()
  const honestIDs = new Set(alive.flatMap((p) => p.sub.forest.clients.map((c) => c.peerID)).filter((id) => id !== null))
  const depths = await treeDepths(treeServer, feed.key, TREES, honestIDs)
  const hostileStats = attackers === undefined ? undefined : await attackers.stats()
  const cpu = process.cpuUsage(cpu0)
  clearInterval(rssSampler)
  const stats = alive.map((p) => p.sub.stats())
  const latencies = alive.filter((p) => !p.newcomer).flatMap((p) => p.latencies).sort((a, b) => a - b)
  const newcomerLatencies = alive.filter((p) => p.newcomer).flatMap((p) => p.latencies).sort((a, b) => a - b)
  const sum = (f) => stats.reduce((n, s) => n + f(s), 0)
  const withLog = alive.filter((p) => p.sub.log !== undefined)
  const random = withLog[Math.floor(Math.random() * withLog.length)]
  const report = random === undefined ? { ok: false, reason: 'no subscriber holds a log', blocks: 0, entries: 0 } : await verifyLog(await random.sub.export(), feed.feedKey)
  const src = feed.stats()
  const figures = {
    hostile,
    entries: ENTRIES,
    blocks: src.blocks,
    trees: TREES,
    peers: PEERS,
    alive: alive.length,
    killed,
    joinMs,
    allTreesUp,
    complete,
    deliveredAll: alive.filter((p) => p.seqs === ENTRIES && p.inOrder).length,
    deliveredNone: alive.filter((p) => p.seqs === 0).length,
    deliveredEntries: alive.reduce((n, p) => n + Math.min(p.seqs, ENTRIES), 0),
    outOfOrder: alive.filter((p) => !p.inOrder).length,
    latency: summary(latencies),
    newcomerLatency: summary(newcomerLatencies),
    duplicates: sum((s) => s.duplicates),
    copiesPerBlock: (sum((s) => s.blocks) + sum((s) => s.duplicates)) / Math.max(1, sum((s) => s.blocks)),
    gaps: sum((s) => s.gaps),
    backfilled: sum((s) => s.backfilled),
    invalid: sum((s) => s.invalid),
    served: sum((s) => s.served),
    sourceServed: src.served,
    bytesReceived: sum((s) => s.bytesReceived),
    bytesSent: sum((s) => s.bytesSent),
    sourceBytesSent: src.bytesSent,
    serverErrors: Object.fromEntries(Object.entries(treeServer.stats().errors).filter(([, n]) => n > 0)),
    depths,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    rssPeakMiB: rssPeak / 2 ** 20,
    verified: { name: random?.name ?? '-', ok: report.ok, reason: report.reason, blocks: report.blocks, entries: report.entries },
    attackers: hostileStats
  }

  const close = async () => {
    for (const r of reporters) r.close()
    feed.close()
    for (const p of peers) p.sub.close()
    for (const s of sockets) s.disconnect()
    await attackers?.close()
    await server.close()
  }
  return { figures, feed, pages, close }
}

function summary (xs) {
  if (xs.length === 0) return { n: 0, median: NaN, p99: NaN, withinSecond: NaN }
  const q = (f) => xs[Math.min(xs.length - 1, Math.floor(f * xs.length))]
  return { n: xs.length, median: q(0.5), p99: q(0.99), withinSecond: (100 * xs.filter((x) => x <= 1000).length) / xs.length }
}

/** Polls `check` every 50 ms for at most `ms`; resolves with whether it came true. */
async function waitFor (check, ms) {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return true
}
