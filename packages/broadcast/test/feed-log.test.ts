import { describe, expect, it, vi } from 'vitest'
import { decodeEntry, encodeEntry, FeedLog, headerHash, type DeliveredEntry, type VerifiedBlock } from '../src/index.js'
import { makeChain, shuffled, signRaw, testKeyPair } from './helpers.js'

const keyPair = testKeyPair('feed-log')

function collect (options: ConstructorParameters<typeof FeedLog>[1] = {}): { log: FeedLog; seen: DeliveredEntry[] } {
  const seen: DeliveredEntry[] = []
  const log = new FeedLog(keyPair.publicKey, { onEntry: (e) => seen.push(e), ...options })
  return { log, seen }
}

const seqs = (seen: DeliveredEntry[]): number[] => seen.map((e) => e.seq)

describe('FeedLog', () => {
  it('delivers every entry in order with seq, data and blockIndex', async () => {
    const blocks = await makeChain(4, { keyPair, sizes: [1, 3, 2, 1] })
    const { log, seen } = collect()
    expect(blocks.map((b) => log.add(b))).toEqual([1, 3, 2, 1].map((delivered) => ({ status: 'added', delivered })))
    expect(seqs(seen)).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(seen.map((e) => e.blockIndex)).toEqual([0, 1, 1, 1, 2, 2, 3])
    expect(decodeEntry(seen[4]!.data)).toEqual({ ok: true, value: { seq: 4, text: 'entry 4' } })
    expect(log.nextSeq).toBe(7)
    expect(log.deliveredBlocks).toBe(4)
  })

  it('accepts blocks out of order, tracks the gaps, delivers in order once they fill', async () => {
    const blocks = await makeChain(10, { keyPair, sizes: [2, 1, 1, 3, 1, 1, 2, 1, 1, 1] })
    const { log, seen } = collect()
    for (const i of [0, 3, 4, 7, 9]) expect(log.add(blocks[i]!).status).toBe('added')
    expect(seqs(seen)).toEqual([0, 1])
    expect(log.missing()).toEqual([[1, 2], [5, 6], [8, 8]])
    log.announce(12)
    expect(log.missing()).toEqual([[1, 2], [5, 6], [8, 8], [10, 12]])
    expect(log.add(blocks[2]!)).toEqual({ status: 'added', delivered: 0 })
    expect(log.add(blocks[1]!)).toEqual({ status: 'added', delivered: 1 + 1 + 3 + 1 })
    expect(seqs(seen)).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    for (const i of [8, 6, 5]) log.add(blocks[i]!)
    expect(seqs(seen)).toEqual(Array.from({ length: 14 }, (_, i) => i))
    expect(log.missing()).toEqual([[10, 12]])
  })

  it('delivers the same sequence whatever the arrival order', async () => {
    const blocks = await makeChain(30, { keyPair, sizes: Array.from({ length: 30 }, (_, i) => 1 + (i % 4)) })
    const total = blocks.reduce((n, b) => n + b.count, 0)
    for (const seed of [1, 2, 3, 4, 5]) {
      const { log, seen } = collect()
      for (const b of shuffled(blocks, seed)) log.add(b)
      expect(seqs(seen)).toEqual(Array.from({ length: total }, (_, i) => i))
      expect(log.missing()).toEqual([])
    }
  })

  it('answers duplicate for the same block and hasBlock for its signature', async () => {
    const [b0] = await makeChain(1, { keyPair })
    const { log } = collect()
    log.add(b0!)
    expect(log.add(b0!)).toEqual({ status: 'duplicate' })
    expect(log.hasBlock(0, b0!.signature)).toBe(true)
    expect(log.hasBlock(0, new Uint8Array(64))).toBe(false)
    expect(log.get(0)).toBe(b0)
  })

  it('detects a fork (two signed blocks for one index), keeps both and stops delivering', async () => {
    const blocks = await makeChain(3, { keyPair })
    const twin = await signRaw(keyPair, { index: 1, firstSeq: 1, prevHash: headerHash(blocks[0]!.header), entries: [encodeEntry('evil twin')] })
    const onFork = vi.fn()
    const { log, seen } = collect({ onFork })
    log.add(blocks[0]!)
    log.add(blocks[1]!)
    const r = log.add(twin)
    expect(r.status).toBe('fork')
    expect(log.trusted).toBe(false)
    expect(log.forks).toHaveLength(1)
    expect(log.forks[0]!.kind).toBe('same-index')
    expect(log.forks[0]!.blocks).toEqual([blocks[1], twin])
    expect(onFork).toHaveBeenCalledWith(log.forks[0])
    expect(log.add(blocks[2]!)).toEqual({ status: 'untrusted' })
    expect(seqs(seen)).toEqual([0, 1])
  })

  it('treats a broken chain link between signed blocks as a fork, whichever arrives first', async () => {
    const blocks = await makeChain(2, { keyPair })
    const badPrev = await signRaw(keyPair, { index: 2, firstSeq: 2, prevHash: new Uint8Array(32).fill(7), entries: [encodeEntry('x')] })
    const badSeq = await signRaw(keyPair, { index: 2, firstSeq: 5, prevHash: headerHash(blocks[1]!.header), entries: [encodeEntry('x')] })
    for (const bad of [badPrev, badSeq]) {
      for (const order of [[blocks[0], blocks[1], bad], [bad, blocks[0], blocks[1]]] as VerifiedBlock[][]) {
        const { log } = collect()
        const results = order.map((b) => log.add(b))
        const fork = results.find((r) => r.status === 'fork')
        expect(fork, `order ${order.map((b) => b.index)}`).toBeDefined()
        expect(log.forks[0]!.kind).toBe('chain')
        expect(log.forks[0]!.index).toBe(1)
        expect(log.forks[0]!.blocks.map((b) => b.index)).toEqual([1, 2])
      }
    }
  })

  it('keeps bounded retention to maxBlocks delivered blocks, never dropping undelivered ones', async () => {
    const blocks = await makeChain(50, { keyPair })
    const { log, seen } = collect({ retention: { maxBlocks: 5 } })
    for (let i = 0; i < 20; i++) log.add(blocks[i]!)
    expect(log.size).toBe(5)
    expect(log.ranges()).toEqual([[15, 19]])
    expect(log.add(blocks[3]!)).toEqual({ status: 'stale' })
    // ahead of a gap: kept although over the bound
    for (let i = 21; i < 40; i++) log.add(blocks[i]!)
    expect(log.size).toBe(5 + 19)
    log.add(blocks[20]!)
    expect(log.size).toBe(5)
    expect(seqs(seen)).toEqual(Array.from({ length: 40 }, (_, i) => i))
    // the chain still links across evictions
    for (let i = 40; i < 50; i++) expect(log.add(blocks[i]!).status).toBe('added')
  })

  it('starts at startIndex for a late subscriber', async () => {
    const blocks = await makeChain(6, { keyPair, sizes: [1, 2, 1, 2, 1, 1] })
    const { log, seen } = collect({ startIndex: 3 })
    expect(log.add(blocks[1]!)).toEqual({ status: 'stale' })
    log.add(blocks[4]!)
    expect(seen).toEqual([])
    log.add(blocks[3]!)
    expect(seqs(seen)).toEqual([4, 5, 6])
    expect(log.nextSeq).toBe(7)
  })

  it('goes on delivering when onEntry throws, reporting to onError', async () => {
    const blocks = await makeChain(3, { keyPair })
    const onError = vi.fn()
    const seen: number[] = []
    const log = new FeedLog(keyPair.publicKey, {
      onEntry: (e) => {
        seen.push(e.seq)
        if (e.seq === 1) throw new Error('app bug')
      },
      onError
    })
    for (const b of blocks) log.add(b)
    expect(seen).toEqual([0, 1, 2])
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it('stays in order when onEntry adds blocks itself', async () => {
    const blocks = await makeChain(4, { keyPair })
    const seen: number[] = []
    const log: FeedLog = new FeedLog(keyPair.publicKey, {
      onEntry: (e) => {
        seen.push(e.seq)
        if (e.seq === 0) log.add(blocks[1]!)
      }
    })
    log.add(blocks[2]!)
    log.add(blocks[0]!)
    log.add(blocks[3]!)
    expect(seen).toEqual([0, 1, 2, 3])
  })

  it('rejects another feed’s blocks and misuse', async () => {
    const [foreign] = await makeChain(1, { keyPair: testKeyPair('someone else') })
    const { log } = collect()
    expect(log.add(foreign!)).toEqual({ status: 'rejected', reason: 'WRONG_FEED' })
    expect(() => log.add(null as never)).toThrow(TypeError)
    expect(() => log.add({ header: 'x' } as never)).toThrow(TypeError)
    expect(() => new FeedLog(new Uint8Array(31))).toThrow(RangeError)
    expect(() => new FeedLog(keyPair.publicKey, { retention: { maxBlocks: 0 } })).toThrow(RangeError)
    expect(() => new FeedLog(keyPair.publicKey, { onEntry: 5 as never })).toThrow(TypeError)
  })
})
