// Row 6: a relay (real WebRTC) forwards every block faithfully but with 8 KB of junk
// appended as an extra msgpack element: the block still verifies. What an honest subscriber
// stores and forwards must be the block, not the junk.
import { afterEach, expect, test } from 'vitest'
import { MemoryBlockStore } from 'peer-tree-broadcast'
import { Swarm } from '../helpers/swarm.js'
import { until } from '../helpers/wait.js'
import { appendPaced, connected, delivered, honest, range, relay, SERVER_OPTIONS, source, type Honest } from '../helpers/attackers.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })

const JUNK = 8_000

async function storeBytes (store: MemoryBlockStore): Promise<number[]> {
  const sizes: number[] = []
  for (let i = 0; i < store.length; i++) sizes.push((await store.get(i))?.length ?? -1)
  return sizes
}

test('junk appended to valid BLOCK messages is neither stored nor forwarded: the replica holds the canonical blocks, and honest peers forward about what the log weighs', async () => {
  const server = await swarm.server(SERVER_OPTIONS)
  const archive = new MemoryBlockStore()
  // k1 = 2: the junk relay holds one source slot in every tree, an honest subscriber the other.
  const feed = await source(swarm, server.url, { trees: 3, k: 3, k1: 2, store: archive })
  const junker = relay(swarm, server.url, feed.key, { trees: [0, 1, 2], junkBytes: JUNK })
  await until(() => junker.upstreamCount() === 3, { what: 'the junk relay is connected in all 3 trees' })
  const subs: Honest[] = [await honest(swarm, server.url, feed.key)]
  const replica = new MemoryBlockStore()
  const keeper = await honest(swarm, server.url, feed.key, { replica }) // placed below the junk relay
  subs.push(keeper)
  for (let i = 0; i < 3; i++) subs.push(await honest(swarm, server.url, feed.key))
  await connected(subs, 3)
  expect(junker.childCount()).toBeGreaterThan(0)
  await appendPaced(feed, 200)
  await delivered(subs, 200)
  for (const w of subs) expect(w.seqs).toEqual(range(200))
  await feed.flush()
  await keeper.sub.flush()
  const canonical = await storeBytes(archive)
  const kept = await storeBytes(replica)
  const logBytes = canonical.reduce((a, b) => a + b, 0)
  const keptBytes = kept.reduce((a, b) => a + b, 0)
  const sent = subs.reduce((n, w) => n + w.sub.stats().bytesSent, 0)
  const links = subs.reduce((n, w) => n + w.downstreamLinks(), 0)
  console.log(`junk blocks: log ${logBytes} B in ${canonical.length} blocks; replica ${keptBytes} B; honest peers sent ${sent} B over ${links} downstream links (${(sent / Math.max(1, links * logBytes)).toFixed(1)} log copies per link)`)
  expect(kept).toEqual(canonical)
  // Each downstream link carries the log about once (HAVEs and WANT answers aside): twice is the slack.
  expect(sent).toBeLessThan(2 * Math.max(1, links) * logBytes)
})
