// A subscriber that arrives late (or falls behind and is re-placed) catches up on the history
// at the pace its upstream's WANT budget grants, over real WebRTC: it is never refused, so never
// dropped as abusive, and gets every entry in order.
import { afterEach, expect, test } from 'vitest'
import { Swarm } from '../helpers/swarm.js'
import { delivered, honest, range, SERVER_OPTIONS, source } from '../helpers/attackers.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })

const BLOCKS = 1_500
const ENTRY_BYTES = 16 * 1024 // 1,500 blocks of one 16 KiB entry: 23.4 MiB, three byte bursts (8 MiB)

test('a late joiner fetching 23 MiB of history from the source is never refused and gets it all', async () => {
  const server = await swarm.server(SERVER_OPTIONS)
  const feed = await source(swarm, server.url, { trees: 1, k1: 2, maxEntriesPerBlock: 1 })
  const invalid: string[] = []
  feed.on('invalid', (r) => { invalid.push(r.reason) })
  for (let i = 0; i < BLOCKS; i += 100) {
    await Promise.all(range(100, i).map((n) => feed.append(new Uint8Array(ENTRY_BYTES).fill(n & 0xff))))
  }
  const late = await honest(swarm, server.url, feed.key)
  await delivered([late], BLOCKS, 30_000)
  console.log(`catch-up: ${BLOCKS} blocks of ${ENTRY_BYTES} B; source served ${feed.stats().served}, refused ${feed.stats().refused}; upstreams lost ${late.upstreamsLost()}`)
  expect(late.seqs).toEqual(range(BLOCKS))
  expect(feed.stats().refused).toBe(0)
  expect(invalid).toEqual([])
  expect(late.upstreamsLost()).toBe(0)
})
