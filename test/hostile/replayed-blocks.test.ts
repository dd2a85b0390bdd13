// Row 7: a relay (real WebRTC, otherwise faithful) replays old, valid blocks to its children
// once they hold more blocks than the dedup window remembers. A block the log already holds
// must be dropped before it is verified, delivered or forwarded again. The subscribers' window
// is shrunk to 256 (from 8,192): the same path, past the window, for a thirtieth of the blocks.
import { afterEach, expect, test } from 'vitest'
import { MemoryBlockStore } from 'peer-tree-broadcast'
import { Swarm } from '../helpers/swarm.js'
import { until } from '../helpers/wait.js'
import { connected, countingEd25519, delivered, honest, relay, SERVER_OPTIONS, source, type Honest } from '../helpers/attackers.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })

const DEDUP_WINDOW = 256
const BLOCKS = 300 // past the subscribers' dedup window
const REPLAYED = 40 // blocks 0..39, among the first the window forgot

test('old blocks replayed past the dedup window are dropped: no honest subscriber accepts, delivers or forwards a block twice', async () => {
  const server = await swarm.server(SERVER_OPTIONS)
  const archive = new MemoryBlockStore()
  // k1 = 1, k = 2: source → replayer → two victims, one of them with a child of its own.
  const feed = await source(swarm, server.url, { trees: 1, k: 2, k1: 1, store: archive, maxEntriesPerBlock: 1 })
  const replayer = relay(swarm, server.url, feed.key, { trees: [0] })
  await until(() => replayer.upstreamCount() === 1, { what: 'the replayer is a child of the source' })
  const subs: Honest[] = []
  const eds = [countingEd25519(), countingEd25519(), countingEd25519()]
  for (const ed of eds) subs.push(await honest(swarm, server.url, feed.key, { dedupWindow: DEDUP_WINDOW, ed25519: ed }))
  await connected(subs, 1)
  const replayerID = replayer.peerIDs()[0]
  const victims = subs.filter((w) => w.sub.forest.upstreams().some((l) => l.remote === replayerID))
  expect(victims.length).toBe(2)
  // The log streams live, one entry per block, in bursts of 100.
  for (let i = 0; i < BLOCKS; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, BLOCKS - i) }, (_, j) => feed.append(i + j)))
  }
  await delivered(subs, BLOCKS, 20_000)
  const before = subs.map((w) => ({ ...w.sub.stats() }))
  const verifiedBefore = eds.map((e) => e.verified)
  const old: Uint8Array[] = []
  for (let i = 0; i < REPLAYED; i++) old.push(await archive.get(i) as Uint8Array)
  expect(replayer.replay(old)).toBe(REPLAYED * victims.length)
  // A malformed message closes the replay: each victim reports it (or already dropped the replayer).
  replayer.sendDown([Uint8Array.of(0xc1)])
  await until(() => victims.every((w) => w.invalid.some((r) => r.peerID === replayerID) || !w.sub.forest.upstreams().some((l) => l.remote === replayerID)), {
    what: 'every victim read the whole replay'
  })
  const after = subs.map((w) => w.sub.stats())
  const accepted = after.map((s, i) => s.blocks - (before[i]?.blocks ?? 0))
  const forwarded = after.map((s, i) => s.bytesSent - (before[i]?.bytesSent ?? 0))
  console.log(`replayed blocks: ${REPLAYED} old blocks to ${victims.length} victims; accepted again per subscriber ${accepted.join(', ')}; bytes sent meanwhile ${forwarded.join(', ')}`)
  // Dropped before verification: not one signature checked for the replay.
  expect(eds.map((e) => e.verified)).toEqual(verifiedBefore)
  for (const w of subs) {
    expect(w.sub.stats().blocks).toBe(BLOCKS)
    expect(w.seqs.length).toBe(BLOCKS)
  }
  const replayBytes = old.reduce((n, b) => n + b.length, 0)
  for (const f of forwarded) expect(f).toBeLessThan(replayBytes / 10)
})
