/**
 * Source and Subscriber over in-memory links: the feed's own logic (forwarding, dedup,
 * verification, backfill, the repair of a cut tree) with no socket, server or WebRTC.
 */
import { afterEach, describe, expect, test } from 'vitest'
import { verifyLog } from '../../src/log/verify-log.js'
import { decodeMessage, MessageType } from '../../src/wire.js'
import { MemorySwarm, range, seqs } from './memory-swarm.js'

let swarm: MemorySwarm | undefined
afterEach(() => { swarm?.close(); swarm = undefined })

const append = async (s: MemorySwarm, from: number, n: number): Promise<void> => {
  for (let i = from; i < from + n; i++) await s.source.append({ n: i })
}

describe('one tree', () => {
  test('a chain source → a → b delivers every entry in order, verified, and b holds a log anyone can check', async () => {
    const s = swarm = await MemorySwarm.start()
    s.subscribe('a')
    s.subscribe('b')
    s.link('source', 'a', 0)
    s.link('a', 'b', 0)
    await append(s, 0, 50)
    await s.delivered(['a', 'b'], 50)
    const b = s.nodes.get('b')
    expect(seqs(b!)).toEqual(range(50))
    expect(b!.entries.map((e) => e.data)).toEqual(range(50).map((n) => ({ n })))
    // b got its blocks from a, which forwarded them: a sent what b received.
    const aStats = s.nodes.get('a')!.sub!.stats()
    expect(aStats.bytesSent).toBe(b!.sub!.stats().bytesReceived)
    const checked = await verifyLog(await b!.sub!.export(), s.keyPair.publicKey)
    expect(checked.ok && checked.blocks).toBe(s.source.stats().blocks)
  })

  test('a late joiner gets the history it missed by backfill, then the live entries', async () => {
    const s = swarm = await MemorySwarm.start()
    s.subscribe('a')
    s.link('source', 'a', 0)
    await append(s, 0, 30)
    await s.delivered(['a'], 30)
    s.subscribe('late')
    s.link('a', 'late', 0)
    await s.delivered(['late'], 30)
    await append(s, 30, 10)
    await s.delivered(['late'], 40)
    const late = s.nodes.get('late')!
    expect(seqs(late)).toEqual(range(40))
    expect(late.sub!.stats().backfilled).toBeGreaterThan(0)
  })
})

describe('three trees', () => {
  /** Each subscriber relays in its own tree and is a leaf below the other two relays. */
  const forest = async (): Promise<MemorySwarm> => {
    const s = await MemorySwarm.start()
    const names = ['a', 'b', 'c']
    for (const n of names) s.subscribe(n)
    names.forEach((relay, tree) => {
      s.link('source', relay, tree)
      for (const leaf of names) if (leaf !== relay) s.link(relay, leaf, tree)
    })
    return s
  }

  test('every block arrives once per tree; the copies are dropped, not delivered twice', async () => {
    const s = swarm = await forest()
    await append(s, 0, 20)
    await s.delivered(['a', 'b', 'c'], 20)
    for (const n of ['a', 'b', 'c']) {
      const node = s.nodes.get(n)!
      expect(seqs(node)).toEqual(range(20))
      const stats = node.sub!.stats()
      expect(stats.trees).toBe(3)
      // Three trees bring each block three times: one delivered, the others dropped.
      expect(stats.blocks).toBe(s.source.stats().blocks)
      expect(stats.duplicates).toBeGreaterThan(0)
    }
  })

  test('a tree cut below the source loses nothing: its peers get every entry through the others', async () => {
    const s = swarm = await forest()
    await append(s, 0, 10)
    await s.delivered(['a', 'b', 'c'], 10)
    // Tree 0 loses its relay's upstream: a's children in tree 0 get nothing from it now.
    const a = s.nodes.get('a')!
    const [up] = a.forest.upstreams().filter((l) => l.tree === 0)
    up!.close()
    await append(s, 10, 20)
    await s.delivered(['a', 'b', 'c'], 30)
    for (const n of ['a', 'b', 'c']) expect(seqs(s.nodes.get(n)!)).toEqual(range(30))
    expect(a.sub!.stats().trees).toBe(2)
  })

  test('a relay that alters what it forwards is reported and cut off; no altered entry is delivered', async () => {
    const s = await MemorySwarm.start()
    swarm = s
    for (const n of ['evil', 'victim']) s.subscribe(n)
    s.link('source', 'evil', 0)
    // The victim's own tree is slower, so the altered copies come first and must be verified.
    s.link('source', 'victim', 1, { down: (_bytes, _left, arrived) => { setTimeout(arrived, 20) } })
    // evil forwards every block with its last byte changed (an entry's bytes or its signature).
    s.link('evil', 'victim', 0, {
      alter: (bytes) => {
        const decoded = decodeMessage(bytes)
        if (!decoded.ok || decoded.message.type !== MessageType.BLOCK) return bytes
        const copy = new Uint8Array(bytes) // a copy: Buffer.slice would alter the source's own bytes
        copy[copy.length - 1] = (copy[copy.length - 1] as number) ^ 0xff
        return copy
      }
    })
    const victim = s.nodes.get('victim')!
    const invalid: Array<{ reason: string, peerID: string }> = []
    victim.sub!.on('invalid', (r) => invalid.push(r))
    await append(s, 0, 20)
    await s.delivered(['victim'], 20)
    expect(victim.entries.map((e) => e.data)).toEqual(range(20).map((n) => ({ n })))
    expect(invalid.length).toBeGreaterThan(0)
    expect(invalid.every((r) => r.peerID === 'evil')).toBe(true)
    expect(victim.forest.upstreams().map((l) => l.remote)).toEqual(['source'])
  })
})
