// Row 3: a relay (real WebRTC) that forwards the feed faithfully but tells each new child
// that the log reaches block 2^40. A `from: 'live'` subscriber must still start at the first
// verified block, and a `from: 'start'` one must not chase blocks that do not exist.
import { afterEach, expect, test } from 'vitest'
import { Swarm } from '../helpers/swarm.js'
import { until } from '../helpers/wait.js'
import { appendPaced, connected, delivered, honest, range, relay, SERVER_OPTIONS, source, type Honest } from '../helpers/attackers.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })

const FAR = 2 ** 40
const TREES = 3
const IDLE_BEATS = 5

test('a far-future HAVE: live and start subscribers below it deliver every entry in order, and ask for nothing while the source is idle', async () => {
  const server = await swarm.server(SERVER_OPTIONS)
  // k1 = 1: the liar is the source's only child in every tree, so every honest peer hears it (directly or passed on).
  const feed = await source(swarm, server.url, { trees: TREES, k: 3, k1: 1, haveIntervalMs: 200 })
  const liar = relay(swarm, server.url, feed.key, { trees: [0, 1, 2], have: FAR })
  const live: Honest[] = []
  const start: Honest[] = []
  for (let i = 0; i < 2; i++) live.push(await honest(swarm, server.url, feed.key, { from: 'live' }))
  for (let i = 0; i < 2; i++) start.push(await honest(swarm, server.url, feed.key, { from: 'start' }))
  const subs = [...live, ...start]
  await connected(subs, TREES)
  expect(liar.childCount()).toBeGreaterThan(0)
  await appendPaced(feed, 300)
  await delivered(start, 300)
  // A claim is believed a small window past what verified, until it fails to prove itself:
  // then each subscriber's highest is what it verified, the real end of the log.
  const tip = feed.stats().blocks - 1
  await until(() => subs.every((w) => w.sub.stats().highest === tip), {
    what: 'every subscriber dropped the claim and holds the real end of the log as its highest',
    describe: () => `highest ${subs.map((w) => w.sub.stats().highest).join(', ')}, tip ${tip}`
  })
  // The source is idle now: what the subscribers ask for during its next heartbeats is what the lie still costs.
  const asked = subs.map((w) => w.upBytesSent())
  const beats = liar.stats.havesIn
  await until(() => liar.stats.havesIn >= beats + TREES * IDLE_BEATS, { what: `${IDLE_BEATS} heartbeats of the idle source reached the liar in every tree` })
  const idleWantBytes = subs.map((w, i) => w.upBytesSent() - (asked[i] as number))
  console.log(`far-future HAVE: WANT bytes sent upstream over ${IDLE_BEATS} idle heartbeats (live, live, start, start):`, idleWantBytes.join(', '))
  // Nothing is missing below what verified and the lie is no longer believed, so an honest
  // subscriber asks for nothing (fewer than 2 WANTs of slack): the WANTs do not go on for ever.
  for (const b of idleWantBytes) expect(b).toBeLessThan(32)
  await delivered(subs, 300)
  for (const w of subs) expect(w.seqs).toEqual(range(300))
  // No claim past what verified is believed.
  for (const w of subs) expect(w.sub.stats().highest).toBeLessThan(feed.stats().blocks + 64)
})
