// Verified entries per second, per backend, entry size and block size.
// Run after a build:  pnpm --filter peer-tree-broadcast build && node packages/broadcast/bench/verify.bench.mjs
// "per CPU-s" divides by the process's CPU time (all threads), so it is the per-core figure
// even where WebCrypto runs on libuv's thread pool; "wall" is what one process gets here.
import os from 'node:os'
// BENCH_MODULE points at another build of the same API (e.g. a core-only bundle).
const {
  BlockDedup,
  FeedLog,
  createNodeEd25519,
  createWebCryptoEd25519,
  decodeMessage,
  encodeMessage,
  headerHash,
  MessageType,
  nobleEd25519,
  signBlock,
  verifyBlock,
  zeroHash
} = await import(process.env.BENCH_MODULE ?? new URL('../dist/index.js', import.meta.url).href)

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1)
// With BENCH_JSON=1 the last stdout line is every row as JSON, for bench/run-all.mjs.
const figures = { seconds: SECONDS, rows: [], receivePath: [] }
const node = createNodeEd25519()
const webcrypto = createWebCryptoEd25519()
const { publicKey, secretKey } = await node.generateKeyPair()

async function makeBlocks (entryBytes, perBlock, count) {
  const blocks = []
  let prevHash = zeroHash()
  for (let i = 0; i < count; i++) {
    const entries = Array.from({ length: perBlock }, () => crypto.getRandomValues(new Uint8Array(entryBytes)))
    const b = await signBlock({ feedKey: publicKey, index: i, firstSeq: i * perBlock, prevHash, entries }, secretKey, node)
    blocks.push({ header: b.header, signature: b.signature, entries: b.entries })
    prevHash = headerHash(b.header)
  }
  return blocks
}

/** Runs `step(i)` (verifies block i) for ~SECONDS; returns entries/s wall and per CPU-second. */
async function measure (blocks, perBlock, inFlight, step) {
  for (let i = 0; i < Math.min(blocks.length, 20); i++) await step(i) // warm-up
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  let done = 0
  while (performance.now() - t0 < SECONDS * 1000) {
    if (inFlight === 1) {
      await step(done % blocks.length)
      done++
    } else {
      const batch = []
      for (let k = 0; k < inFlight; k++) batch.push(step((done + k) % blocks.length))
      await Promise.all(batch)
      done += inFlight
    }
  }
  const wall = (performance.now() - t0) / 1000
  const c = process.cpuUsage(cpu0)
  const cpu = (c.user + c.system) / 1e6
  return { wall: (done * perBlock) / wall, perCpu: (done * perBlock) / cpu }
}

const fmt = (n) => Math.round(n).toLocaleString('en-US').padStart(10)
console.log(`peer-tree-broadcast verify benchmark: Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${SECONDS}s per row`)
console.log('verifyBlock = parse + feed key + SHA-256 of every entry + one Ed25519 signature')
console.log('')
console.log('backend            entry  block   entries/s wall   entries/s per CPU-s')

const backends = [
  ['noble', nobleEd25519, 1],
  ['webcrypto', webcrypto, 1],
  ['webcrypto x64', webcrypto, 64],
  ['node:crypto', node, 1]
]
for (const entryBytes of [100, 1024]) {
  for (const perBlock of [1, 16, 64, 256]) {
    const blocks = await makeBlocks(entryBytes, perBlock, Math.max(8, Math.ceil(4096 / perBlock)))
    for (const [name, ed, inFlight] of backends) {
      const r = await measure(blocks, perBlock, inFlight, async (i) => {
        const v = await verifyBlock(blocks[i], publicKey, ed)
        if (!v.ok) throw new Error(`bench block failed: ${v.reason}`)
      })
      console.log(`${name.padEnd(18)} ${String(entryBytes).padStart(5)}  ${String(perBlock).padStart(5)}   ${fmt(r.wall)}       ${fmt(r.perCpu)}`)
      figures.rows.push({ backend: name, entryBytes, perBlock, wall: Math.round(r.wall), perCpu: Math.round(r.perCpu) })
    }
  }
}

// The whole receive path of one hop, minus the network: decode the wire message, dedup,
// verify, add to the FeedLog (which checks the chain link and delivers in order).
console.log('')
console.log('receive path: decodeMessage + dedup.admit + verifyBlock + FeedLog.add (node:crypto, in order)')
for (const entryBytes of [100, 1024]) {
  for (const perBlock of [16, 64, 256]) {
    // The same working set as above (~4,096 entries), so both tables measure CPU, not RAM.
    const blocks = await makeBlocks(entryBytes, perBlock, Math.max(8, Math.ceil(4096 / perBlock)))
    const frames = blocks.map((block) => encodeMessage({ type: MessageType.BLOCK, block }))
    let log = new FeedLog(publicKey)
    const dedup = new BlockDedup() // one for the run: its LRU evicts as a long-lived one does
    let delivered = 0 // onEntry does the least an application could: count
    let round = -1
    const r = await measure(frames, perBlock, 1, async (i) => {
      if (i === 0) {
        log = new FeedLog(publicKey, { onEntry: () => delivered++ })
        round++
      }
      const m = decodeMessage(frames[i])
      if (!m.ok || m.message.type !== MessageType.BLOCK) throw new Error('decode')
      const raw = m.message.block
      let checked
      // Replayed rounds reuse the blocks; a distinct dedup key per round keeps every copy "new".
      const key = round * frames.length + i
      const verdict = await dedup.admit(key, raw.signature, async () => (checked = await verifyBlock(raw, publicKey, node)).ok)
      if (verdict !== 'accepted' || log.add(checked.block).status !== 'added') throw new Error('receive path failed')
    })
    console.log(`node:crypto        ${String(entryBytes).padStart(5)}  ${String(perBlock).padStart(5)}   ${fmt(r.wall)}       ${fmt(r.perCpu)}`)
    figures.receivePath.push({ backend: 'node:crypto', entryBytes, perBlock, wall: Math.round(r.wall), perCpu: Math.round(r.perCpu) })
  }
}
if (process.env.BENCH_JSON === '1') console.log(JSON.stringify({ bench: 'verify', figures }))
