// The feed's bytes over real socket.io and real WebRTC: a damaged replica is repaired from
// peers without losing what verified, the reassembly limits reach every link, and both ends
// export the same way.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import wrtc from '@roamhq/wrtc'
import { afterEach, expect, test } from 'vitest'
import { Feed, MemoryBlockStore, MessageType, createNodeEd25519, encodeMessage, exportStore, verifyLog, type FeedSubscriber } from 'peer-tree-broadcast'
import { Forest } from '../../packages/broadcast/src/net/forest.js'
import { FileBlockStore } from 'peer-tree-broadcast/archive'
import { Swarm } from '../helpers/swarm.js'
import { nextEvent, until } from '../helpers/wait.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })
const ed = createNodeEd25519()

/** Offsets of the records of a replica file (4-byte big-endian length, then the bytes). */
function recordOffsets (file: Buffer): number[] {
  const out: number[] = []
  for (let at = 0; at + 4 <= file.length; at += 4 + file.readUInt32BE(at)) out.push(at)
  return out
}

test('a replica with a bad length prefix keeps the blocks before it, keeps the bytes after it, and the subscriber ends with every entry', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'peer-tree-replica-'))
  swarm.onClose(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'feed.replica')
  const server = await swarm.server()
  const feed = await Feed.create(swarm.socket(server.url), { wrtc, ed25519: ed, trees: 2 })
  swarm.onClose(() => feed.close())
  for (let i = 0; i < 50; i++) await feed.append({ i }) // an idle source signs each alone: 50 blocks
  expect(feed.stats().blocks).toBe(50)

  const replica = await FileBlockStore.open(path)
  const firstSocket = swarm.socket(server.url)
  const first = await Feed.join(firstSocket, feed.key, { wrtc, ed25519: ed, replica })
  await until(() => first.stats().contiguous === 50, { what: 'the first subscriber has all 50 blocks' })
  await first.flush()
  first.close()
  firstSocket.disconnect()
  await replica.close()

  const file = readFileSync(path)
  const offsets = recordOffsets(file)
  expect(offsets).toHaveLength(50)
  const corrupt = Buffer.from(file)
  corrupt.writeUInt32BE(0xffff_fff0, offsets[30]!)
  writeFileSync(path, corrupt)

  const reopened = await FileBlockStore.open(path)
  swarm.onClose(() => reopened.close())
  expect(reopened.length).toBe(30)
  expect(reopened.preserved).toHaveLength(1)
  expect(existsSync(reopened.preserved[0]!)).toBe(true)
  expect(Buffer.concat([readFileSync(path), readFileSync(reopened.preserved[0]!)]).equals(corrupt)).toBe(true)

  const second = await Feed.join(swarm.socket(server.url), feed.key, { wrtc, ed25519: ed, replica: reopened })
  swarm.onClose(() => second.close())
  const seqs: number[] = []
  second.on('entry', ({ seq }) => seqs.push(seq))
  expect(second.stats().entries).toBe(30) // loaded and verified from the file
  await until(() => second.stats().contiguous === 50, { what: 'the missing tail is backfilled', describe: () => JSON.stringify(second.stats()) })
  expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => 30 + i))
  await second.flush()
  expect(reopened.length).toBe(50)
  expect(await verifyLog(await exportStore(reopened, feed.feedKey), feed.key)).toMatchObject({ ok: true, blocks: 50, complete: true })
})

test('reassembly limits set on Feed.create and Feed.join reach every link; bad ones throw before connecting', async () => {
  const server = await swarm.server()
  const feed = await Feed.create(swarm.socket(server.url), { wrtc, ed25519: ed, trees: 1, reassembly: { maxPendingMessages: 3, timeoutMs: 2000 } })
  swarm.onClose(() => feed.close())
  const sub = await Feed.join(swarm.socket(server.url), feed.key, { wrtc, ed25519: ed, reassembly: { maxPendingBytes: 1 << 20, maxMessageBytes: 512 * 1024 } })
  swarm.onClose(() => sub.close())
  await until(() => sub.stats().trees === 1 && feed.forest.links.size === 1, { what: 'the link is up at both ends' })
  const [down] = [...feed.forest.links]
  const [up] = [...sub.forest.links]
  expect(down!.reassembler.limits).toMatchObject({ maxPendingMessages: 3, timeoutMs: 2000, maxPendingBytes: 16 * 1024 * 1024 })
  expect(up!.reassembler.limits).toMatchObject({ maxPendingBytes: 1 << 20, maxMessageBytes: 512 * 1024, maxPendingMessages: 16 })
  await expect(Feed.join(swarm.socket(server.url), feed.key, { wrtc, reassembly: { maxPendingMessages: 0 } })).rejects.toThrow(RangeError)
  await expect(Feed.create(swarm.socket(server.url), { wrtc, reassembly: { maxFragments: 1 } })).rejects.toThrow(RangeError)
})

test('feed.export() and sub.export() have the same shape, and verifyLog takes the feed key string', async () => {
  const server = await swarm.server()
  const feed = await Feed.create(swarm.socket(server.url), { wrtc, ed25519: ed, trees: 1 })
  swarm.onClose(() => feed.close())
  const sub = await Feed.join(swarm.socket(server.url), feed.key, { wrtc, ed25519: ed })
  swarm.onClose(() => sub.close())
  for (let i = 0; i < 5; i++) await feed.append(i)
  await until(() => sub.stats().contiguous === 5, { what: 'the subscriber has 5 blocks' })
  const exports = [feed.export(), sub.export()]
  for (const p of exports) expect(p).toBeInstanceOf(Promise)
  for (const bytes of await Promise.all(exports)) {
    expect(await verifyLog(bytes, feed.key)).toMatchObject({ ok: true, blocks: 5, entries: 5, complete: true })
  }
})

test('a relay that appends junk to valid blocks: subscribers keep (and so forward) only canonical bytes, and deliver every entry', async () => {
  const server = await swarm.server()
  const feed = await Feed.create(swarm.socket(server.url), { wrtc, ed25519: ed, trees: 2, k: 3, k1: 2 })
  swarm.onClose(() => feed.close())
  // The attacker joins first, as a relay in both trees, and forwards every block at once with
  // 10 KB of junk as a fifth element: the signature still verifies.
  const attacker = new Forest(swarm.socket(server.url), { peer: { wrtc } })
  swarm.onClose(() => attacker.close())
  // The block's msgpack array of 4 (0x94) becomes one of 5 (0x95), the fifth a 10,000-byte bin16.
  const junk = Uint8Array.from([0xc5, 10_000 >> 8, 10_000 & 0xff, ...new Uint8Array(10_000).fill(0x55)])
  attacker.on('frame', (link, frame) => {
    if (link.direction !== 'up' || frame.message.type !== MessageType.BLOCK) return
    const padded = new Uint8Array(frame.bytes.length + junk.length)
    padded.set(frame.bytes, 0)
    padded[0] = 0x95
    padded.set(junk, frame.bytes.length)
    for (const down of attacker.downstreams()) down.send(padded)
  })
  const placed = Promise.all([0, 1].map((i) => nextEvent(attacker, 'placed', { filter: (t: number) => t === i })))
  attacker.joinTree(feed.key, 0, 'relay')
  attacker.joinTree(feed.key, 1, 'relay')
  await placed
  const subs: Array<{ sub: FeedSubscriber, replica: MemoryBlockStore, invalid: Array<{ reason: string, peerID: string }> }> = []
  for (let i = 0; i < 6; i++) {
    const replica = new MemoryBlockStore()
    const sub = await Feed.join(swarm.socket(server.url), feed.key, { wrtc, ed25519: ed, replica })
    swarm.onClose(() => sub.close())
    const w = { sub, replica, invalid: [] as Array<{ reason: string, peerID: string }> }
    sub.on('invalid', (r) => w.invalid.push({ reason: r.reason, peerID: r.peerID }))
    subs.push(w)
  }
  await until(() => attacker.downstreams().length > 0, { what: 'someone is placed under the attacker' })
  for (let i = 0; i < 60; i++) await feed.append(`entry ${i}`)
  await until(() => subs.every((w) => w.sub.stats().contiguous === 60), { what: 'every subscriber has all 60 blocks', describe: () => subs.map((w) => w.sub.stats().contiguous).join(',') })
  let stored = 0
  let canonical = 0
  for (const w of subs) {
    await w.sub.flush()
    expect(w.replica.length).toBe(60)
    for (let i = 0; i < 60; i++) {
      const bytes = await w.replica.get(i)
      stored += bytes!.length
      canonical += encodeMessage({ type: MessageType.BLOCK, block: w.sub.log!.get(i)! }).length
    }
    expect(await verifyLog(await w.sub.export(), feed.key)).toMatchObject({ ok: true, entries: 60 })
  }
  expect(stored).toBe(canonical) // not one junk byte kept
  const reports = subs.flatMap((w) => w.invalid)
  const blamed = reports.filter((r) => r.reason === 'NON_CANONICAL_BLOCK')
  expect(blamed.length).toBeGreaterThan(0)
  // Every block rejected came from the attacker. Besides those, a peer may only have been
  // dropped for what it did not do (an honest relay below the attacker goes quiet while it
  // repairs, and its children may move away from it): never for bytes it sent.
  const attackerIDs = new Set(attacker.clients.map((c) => c.peerID).filter((id) => id !== null))
  for (const r of blamed) expect(attackerIDs.has(r.peerID)).toBe(true)
  for (const r of reports) expect(['NON_CANONICAL_BLOCK', 'UPSTREAM_SILENT', 'UPSTREAM_LAGGING']).toContain(r.reason)
})
