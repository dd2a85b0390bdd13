// One hop, measured side by side in one run: a bare simple-peer data channel versus a feed
// (sign, send, receive, dedup, verify, deliver) with one subscriber on 1 and on 3 trees.
// One entry (or message) every 10 ms, so nothing queues. Prints medians and p99s.
// Run after a build: node bench/hop-latency.mjs
import { io as connect } from 'socket.io-client'
import wrtc from '@roamhq/wrtc'
import { Feed, createNodeEd25519 } from 'peer-tree-broadcast'
import { connectedPair, machine, startSignalServer } from './lib.mjs'

const N = 300
const GAP_MS = 10
const PAYLOAD = 'x'.repeat(1000)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const summary = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return `median ${s[s.length >> 1].toFixed(2)} ms  p99 ${s[Math.floor(s.length * 0.99)].toFixed(2)} ms  (n=${s.length})`
}

async function bare () {
  const [a, b] = await connectedPair()
  const lat = []
  b.on('data', (d) => { lat.push(performance.now() - JSON.parse(d).t) })
  for (let i = 0; i < N; i++) { a.send(JSON.stringify({ t: performance.now(), p: PAYLOAD })); await sleep(GAP_MS) }
  await sleep(200)
  a.destroy(); b.destroy()
  return lat
}

async function feed (trees, url) {
  const ed25519 = createNodeEd25519()
  const sockets = [connect(url, { forceNew: true }), connect(url, { forceNew: true })]
  const source = await Feed.create(sockets[0], { wrtc, ed25519, trees })
  const sub = await Feed.join(sockets[1], source.key, { wrtc, ed25519 })
  while (sub.stats().trees < trees) await sleep(20)
  const lat = []
  sub.on('entry', ({ data }) => { lat.push(performance.now() - data.t) })
  for (let i = 0; i < N; i++) { await source.append({ t: performance.now(), p: PAYLOAD }); await sleep(GAP_MS) }
  await sleep(200)
  source.close(); sub.close()
  for (const s of sockets) s.disconnect()
  return lat
}

const server = await startSignalServer()
const url = server.url
console.log(`one hop, ~1 KiB per message, one every ${GAP_MS} ms; ${machine}`)
console.log(`bare simple-peer           ${summary(await bare())}`)
console.log(`feed, 1 tree               ${summary(await feed(1, url))}`)
console.log(`feed, 3 trees              ${summary(await feed(3, url))}`)
server.close()
process.exit(0)
