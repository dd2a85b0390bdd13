// peer-tree-broadcast over real socket.io and real WebRTC (@roamhq/wrtc): signed feeds on
// several trees, churn, backfill, late joiners, a restarted source, impostors and forgers.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import wrtc from '@roamhq/wrtc'
import { afterEach, describe, expect, test } from 'vitest'
import {
  Feed, createNodeEd25519, encodeMessage, exportStore, MessageType, verifyLog, type FeedSource, type FeedSubscriber, type KeyPair
} from 'peer-tree-broadcast'
import { FileBlockStore, HypercoreArchive } from 'peer-tree-broadcast/archive'
import { Forest } from '../../packages/broadcast/src/net/forest.js'
import { PeerTreeClient } from 'peer-tree-client'
import { Swarm } from '../helpers/swarm.js'
import { nextEvent, until } from '../helpers/wait.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })
const ed = createNodeEd25519()

interface Watched {
  sub: FeedSubscriber
  seqs: number[]
  values: unknown[]
  invalid: Array<{ peerID: string, reason: string }>
}

async function source (url: string, opts: Parameters<typeof Feed.create>[1] = {}): Promise<FeedSource> {
  const feed = await Feed.create(swarm.socket(url), { wrtc, ed25519: ed, ...opts })
  swarm.onClose(() => feed.close())
  return feed
}

async function subscriber (url: string, key: string, opts: Parameters<typeof Feed.join>[2] = {}): Promise<Watched> {
  const socket = swarm.socket(url)
  const sub = await Feed.join(socket, key, { wrtc, ed25519: ed, ...opts })
  const w: Watched = { sub, seqs: [], values: [], invalid: [] }
  sub.on('entry', ({ seq, data }) => { w.seqs.push(seq); w.values.push(data) })
  sub.on('invalid', (r) => { w.invalid.push(r) })
  swarm.onClose(() => { sub.close(); socket.disconnect() })
  return w
}

async function connected (subs: Watched[], trees: number): Promise<void> {
  await until(() => subs.every((w) => w.sub.stats().trees === trees), {
    what: `every subscriber has an upstream in all ${trees} trees`,
    describe: () => subs.map((w) => w.sub.stats().trees).join(',')
  })
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i)

async function allDelivered (subs: Watched[], n: number, ms = 60_000): Promise<void> {
  await until(() => subs.every((w) => w.seqs.length >= n), {
    ms,
    what: `every subscriber delivered ${n} entries`,
    describe: () => subs.map((w) => w.seqs.length).join(',')
  })
}

/**
 * Appends `n` entries over about a second (10 entries every 10 ms), in `rounds`, running
 * `during(round)` at the start of each round (churn), so that peers leave mid-stream.
 */
async function appendInRounds (feed: FeedSource, n: number, rounds: number, during: (round: number) => Promise<void> | void): Promise<void> {
  const per = n / rounds
  const appends: Array<Promise<unknown>> = []
  for (let r = 0; r < rounds; r++) {
    await during(r)
    for (let i = r * per; i < (r + 1) * per; i++) {
      appends.push(feed.append({ i, text: `entry ${i}` }))
      // Pacing for the stream, not synchronisation: the test waits on deliveries below.
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
  await Promise.all(appends)
}

/** Kills a third of the subscribers that forward in some tree, replacing each with a new one. */
async function churn (url: string, key: string, subs: Watched[], opts: Parameters<typeof Feed.join>[2]): Promise<{ killed: Watched[], added: Watched[] }> {
  const interior = subs.filter((w) => !w.sub.closed && w.sub.forest.downstreams().length > 0)
  const killed = interior.slice(0, Math.max(1, Math.ceil(interior.length / 3)))
  for (const w of killed) {
    w.sub.close()
    w.sub.forest.socket.disconnect()
  }
  const added = await Promise.all(killed.map(() => subscriber(url, key, opts)))
  return { killed, added }
}

describe('a feed on several trees', () => {
  // Two swarms of 20 and ~14 joins each: the default minute is tight on a loaded 2-core machine.
  test('3 trees, 20 subscribers, 1,000 entries under churn: every survivor gets every entry once, in order, and its log verifies; 1 tree without backfill loses', { timeout: 150_000 }, async () => {
    const figures: Record<string, unknown> = {}
    for (const [trees, backfill] of [[3, true], [1, false]] as const) {
      const server = await swarm.server()
      const feed = await source(server.url, { trees, k: 3, k1: 3 })
      const subs: Watched[] = []
      for (let i = 0; i < 20; i++) subs.push(await subscriber(server.url, feed.key, { backfill }))
      await connected(subs, trees)
      // Interior-node-disjoint trees: with k = m there is room for everyone, so each peer forwards in one tree at most.
      for (const w of subs) expect(new Set(w.sub.forest.downstreams().map((l) => l.tree)).size).toBeLessThanOrEqual(1)
      let churned: { killed: Watched[], added: Watched[] } = { killed: [], added: [] }
      await appendInRounds(feed, 1000, 10, async (round) => {
        if (round === 3 || round === 6) {
          const c = await churn(server.url, feed.key, subs, { backfill })
          churned = { killed: [...churned.killed, ...c.killed], added: [...churned.added, ...c.added] }
          subs.push(...c.added)
        }
      })
      const survivors = subs.filter((w) => !churned.killed.includes(w))
      if (backfill) {
        await allDelivered(survivors, 1000)
        for (const w of survivors) {
          // Honest peers under churn: no upstream dropped as lagging or silent, nothing rejected.
          expect(w.invalid).toEqual([])
          expect(w.seqs).toEqual(range(1000))
          expect(w.values[999]).toEqual({ i: 999, text: 'entry 999' })
          const report = await verifyLog(await w.sub.export(), w.sub.feedKey)
          expect(report.ok).toBe(true)
          expect(report.entries).toBe(1000)
        }
        const stats = survivors.map((w) => w.sub.stats())
        figures.redundant = {
          trees,
          survivors: survivors.length,
          killed: churned.killed.length,
          delivered: `${survivors.filter((w) => w.seqs.length === 1000).length}/${survivors.length} got all 1000`,
          duplicatesPerBlock: (stats.reduce((n, s) => n + s.duplicates, 0) / stats.reduce((n, s) => n + s.blocks, 0)).toFixed(2),
          gapsAsked: stats.reduce((n, s) => n + s.gaps, 0),
          backfilledBlocks: stats.reduce((n, s) => n + s.backfilled, 0)
        }
      } else {
        // One tree, no backfill: wait until the source's last block reached whoever it can reach.
        await until(() => survivors.every((w) => w.sub.stats().highest >= feed.stats().blocks - 1), { what: 'the log end reached every survivor' })
        const blocks = feed.stats().blocks
        const stayed = survivors.filter((w) => !churned.added.includes(w))
        const received = (ws: Watched[]): string => `${ws.reduce((n, w) => n + w.sub.stats().blocks, 0)}/${ws.length * blocks}`
        figures.single = {
          trees,
          survivors: survivors.length,
          delivered: `${survivors.filter((w) => w.seqs.length === 1000).length}/${survivors.length} got all 1000 in order`,
          blocksReceivedByPeersPresentThroughout: received(stayed),
          blocksReceivedByNewcomers: `${received(churned.added)} (no history without backfill)`
        }
      }
      await swarm.close()
    }
    console.log('churn figures:', JSON.stringify(figures, null, 2))
  })

  test('a late subscriber gets the whole history; the source restarts from its hypercore archive and continues the same feed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peer-tree-archive-'))
    swarm.onClose(() => rmSync(dir, { recursive: true, force: true }))
    const server = await swarm.server()
    const keyPair: KeyPair = await ed.generateKeyPair()
    const store = await HypercoreArchive.open(dir, keyPair)
    const sourceSocket = swarm.socket(server.url)
    const first = await Feed.create(sourceSocket, { wrtc, ed25519: ed, keyPair, store, trees: 2 })
    swarm.onClose(() => first.close())
    await Promise.all(range(300).map((i) => first.append(i)))
    await first.flush()

    const late = await subscriber(server.url, first.key)
    await allDelivered([late], 300)
    expect(late.seqs).toEqual(range(300))
    expect(late.sub.stats().backfilled).toBeGreaterThan(0)

    // Restart: the old source goes away with its socket, a new one opens the same archive.
    await first.closeAndFlush()
    sourceSocket.disconnect()
    const reopened = await HypercoreArchive.open(dir, keyPair)
    expect(reopened.length).toBe(first.stats().blocks)
    const second = await Feed.create(swarm.socket(server.url), { wrtc, ed25519: ed, keyPair, store: reopened, trees: 2 })
    swarm.onClose(() => second.closeAndFlush())
    expect(second.key).toBe(first.key)
    await connected([late], 2)
    await Promise.all(range(200, 300).map((i) => second.append(i)))
    await allDelivered([late], 500)
    expect(late.seqs).toEqual(range(500))
    expect(late.values).toEqual(range(500))
    const report = await verifyLog(await second.export(), keyPair.publicKey)
    expect(report).toMatchObject({ ok: true, entries: 500 })
    // The archive alone, with the feed key alone.
    expect(await verifyLog(await exportStore(reopened, keyPair.publicKey), keyPair.publicKey)).toMatchObject({ ok: true, entries: 500 })
    expect((await verifyLog(await late.sub.export(), keyPair.publicKey)).ok).toBe(true)
  })
})

test('a Node subscriber keeps a full replica in a file and goes on from it after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peer-tree-replica-'))
  swarm.onClose(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'feed.replica')
  const server = await swarm.server()
  const feed = await source(server.url, { trees: 2 })
  const big = Uint8Array.from({ length: 300_000 }, (_, i) => i % 251) // ~18 data-channel messages
  await Promise.all([...range(99).map((i) => feed.append(i)), feed.append(big)])
  const replica = await FileBlockStore.open(path)
  const first = await subscriber(server.url, feed.key, { replica })
  await allDelivered([first], 100)
  expect(first.values.slice(0, 99)).toEqual(range(99))
  expect(first.values[99]).toEqual(big) // split into fragments on the way, joined again
  await first.sub.flush()
  first.sub.close()
  await replica.close()

  const reopened = await FileBlockStore.open(path)
  expect(reopened.length).toBe(feed.stats().blocks)
  const second = await subscriber(server.url, feed.key, { replica: reopened })
  swarm.onClose(() => reopened.close())
  expect(second.sub.stats().entries).toBe(100) // verified and loaded from the file, not the network
  await Promise.all(range(50, 100).map((i) => feed.append(i)))
  await until(() => second.seqs.length === 50, { what: 'the restarted subscriber delivered the new entries' })
  expect(second.seqs).toEqual(range(50, 100))
  await second.sub.flush()
  expect(reopened.length).toBe(feed.stats().blocks)
  expect(await verifyLog(await second.sub.export(), feed.feedKey)).toMatchObject({ ok: true, entries: 150 })
})

test('the source rides out a signalling blip: its trees are created again and subscribers catch up', async () => {
  const server = await swarm.server()
  const sourceSocket = swarm.socket(server.url)
  const feed = await Feed.create(sourceSocket, { wrtc, ed25519: ed, trees: 2 })
  swarm.onClose(() => feed.close())
  const subs = [await subscriber(server.url, feed.key), await subscriber(server.url, feed.key)]
  await Promise.all(range(50).map((i) => feed.append(i)))
  await allDelivered(subs, 50)
  const down = nextEvent(feed.forest, 'treeDown', { what: 'source' })
  const ended = Promise.all(subs.map((w) => nextEvent(w.sub.forest, 'treeDown', { what: 'subscriber' })))
  sourceSocket.io.engine.close() // the transport drops; socket.io-client reconnects by itself
  await Promise.all([down, ended])
  await Promise.all(range(50, 100).map((i) => feed.append(i)))
  await allDelivered(subs, 100)
  for (const w of subs) expect(w.seqs).toEqual(range(100))
})

test('on a server with a tight request limit, a source refused for a moment tries again and its subscribers get everything', async () => {
  const server = await swarm.server({ requestsPerSecond: 2 }) // bursts of 4 tree:* events per socket
  const feed = await source(server.url, { trees: 3 }) // 3 challenges and 3 creates: 2 are refused at first
  const subs = [await subscriber(server.url, feed.key), await subscriber(server.url, feed.key)] // a lookup and 3 joins each
  await connected(subs, 3)
  expect(server.treeServer.stats().errors.RATE_LIMITED).toBeGreaterThan(0)
  await Promise.all(range(20).map((i) => feed.append(i)))
  await allDelivered(subs, 20)
  for (const w of subs) expect(w.seqs).toEqual(range(20))
})

describe('trust', () => {
  test("an impostor cannot create the trees of someone else's feed", async () => {
    const server = await swarm.server()
    const feed = await source(server.url, { trees: 2 })
    const impostor = await ed.generateKeyPair()
    for (const index of [0, 5]) {
      const client = new PeerTreeClient(swarm.socket(server.url), { wrtc })
      swarm.onClose(() => client.destroy())
      client.create({ owner: { publicKey: feed.key, index, sign: (bytes) => ed.sign(bytes, impostor.secretKey) } })
      const [err] = await nextEvent<[{ code: string }]>(client, 'error')
      expect(err.code).toBe('NOT_OWNER')
    }
  })

  test('a relay that forwards altered and forged blocks changes nothing that subscribers deliver', async () => {
    const server = await swarm.server()
    const feed = await source(server.url, { trees: 2, k: 3, k1: 2 })
    // The attacker joins first, as a relay in both trees: it sits right under the source.
    const attacker = new Forest(swarm.socket(server.url), { peer: { wrtc } })
    swarm.onClose(() => attacker.close())
    const forger = await ed.generateKeyPair()
    attacker.on('frame', (link, frame) => {
      if (link.direction !== 'up' || frame.message.type !== MessageType.BLOCK) return
      const real = frame.message.block
      const altered = { ...real, entries: real.entries.map((e) => Uint8Array.from(e, (b, i) => (i === e.length - 1 ? b ^ 1 : b))) }
      const forgedSig = ed.sign(real.header, forger.secretKey)
      void forgedSig.then((signature) => {
        for (const down of attacker.downstreams()) {
          down.send(encodeMessage({ type: MessageType.BLOCK, block: altered }))
          down.send(encodeMessage({ type: MessageType.BLOCK, block: { ...real, signature } }))
          down.send(new Uint8Array([0xc1, 0xff, 0x00])) // not even msgpack
        }
      })
    })
    const placed = Promise.all([0, 1].map((i) => nextEvent(attacker, 'placed', { filter: (t: number) => t === i })))
    attacker.joinTree(feed.key, 0, 'relay')
    attacker.joinTree(feed.key, 1, 'relay')
    await placed
    const subs: Watched[] = []
    for (let i = 0; i < 8; i++) subs.push(await subscriber(server.url, feed.key))
    await until(() => attacker.downstreams().length > 0, { what: 'someone is placed under the attacker' })
    await Promise.all(range(200).map((i) => feed.append(`real ${i}`)))
    await allDelivered(subs, 200)
    for (const w of subs) {
      expect(w.seqs).toEqual(range(200))
      expect(w.values).toEqual(range(200).map((i) => `real ${i}`))
      expect((await verifyLog(await w.sub.export(), w.sub.feedKey)).ok).toBe(true)
    }
    const attackerIds = new Set(attacker.clients.map((c) => c.peerID))
    const reports = subs.flatMap((w) => w.invalid)
    expect(reports.length).toBeGreaterThan(0)
    for (const r of reports) expect(attackerIds.has(r.peerID)).toBe(true)
  })
})
