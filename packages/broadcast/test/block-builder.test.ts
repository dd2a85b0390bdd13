import { describe, expect, it, vi } from 'vitest'
import {
  BlockBuilder,
  BroadcastError,
  decodeEntry,
  encodeExport,
  FeedLog,
  nobleEd25519,
  tipAfter,
  verifyLog,
  type Signer,
  type VerifiedBlock
} from '../src/index.js'
import { testKeyPair } from './helpers.js'

const keyPair = testKeyPair('builder')

function builder (options: Partial<ConstructorParameters<typeof BlockBuilder>[0]> = {}) {
  const blocks: VerifiedBlock[] = []
  const b = new BlockBuilder({
    feedKey: keyPair.publicKey,
    secretKey: keyPair.secretKey,
    signer: nobleEd25519,
    onBlock: (block) => blocks.push(block),
    ...options
  })
  return { b, blocks }
}

/** A signer whose signatures complete only when released (to hold a sign "in flight"). */
function gatedSigner (): Signer & { release(): void; waiting: number } {
  let gates: (() => void)[] = []
  return {
    get waiting () {
      return gates.length
    },
    release () {
      const g = gates
      gates = []
      g.forEach((f) => f())
    },
    async sign (msg, sk) {
      await new Promise<void>((resolve) => gates.push(resolve))
      return nobleEd25519.sign(msg, sk)
    }
  }
}

describe('BlockBuilder', () => {
  it('signs a block of one entry at once when idle', async () => {
    const signer = { sign: vi.fn(nobleEd25519.sign) }
    const { b, blocks } = builder({ signer })
    const p = b.append('hello')
    expect(signer.sign).toHaveBeenCalledTimes(1) // started synchronously, no timer
    expect(await p).toEqual({ seq: 0, blockIndex: 0 })
    expect(blocks).toHaveLength(1)
    expect(blocks[0]!.count).toBe(1)
    expect(await b.append('again')).toEqual({ seq: 1, blockIndex: 1 })
    expect(blocks.map((x) => x.count)).toEqual([1, 1])
  })

  it('batches appends made while a signature is in flight', async () => {
    const { b, blocks } = builder()
    const all = Array.from({ length: 1000 }, (_, i) => b.append({ i }))
    const results = await Promise.all(all)
    expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i))
    // one block of 1 (idle), then full blocks of 256
    expect(blocks.map((x) => x.count)).toEqual([1, 256, 256, 256, 231])
    expect(results[500]!.blockIndex).toBe(2)
    const report = await verifyLog(encodeExport(keyPair.publicKey, blocks), keyPair.publicKey, { verifier: nobleEd25519 })
    expect(report).toMatchObject({ ok: true, entries: 1000, complete: true })
  })

  it('takes everything that accumulated during the sign into the next block', async () => {
    const signer = gatedSigner()
    const { b, blocks } = builder({ signer })
    const first = b.append(0)
    for (let i = 1; i <= 10; i++) void b.append(i)
    expect(b.pending).toBe(10)
    await vi.waitFor(() => expect(signer.waiting).toBe(1))
    signer.release()
    await first
    await vi.waitFor(() => expect(signer.waiting).toBe(1))
    signer.release()
    await b.flush()
    expect(blocks.map((x) => x.count)).toEqual([1, 10])
  })

  it('respects maxBlockBytes, and gives an entry larger than that a block of its own', async () => {
    const { b, blocks } = builder({ maxBlockBytes: 1000 })
    const sizes = [10, 400, 400, 400, 5000, 10, 10]
    await Promise.all(sizes.map((n) => b.append(new Uint8Array(n))))
    expect(blocks.map((x) => x.count)).toEqual([1, 2, 1, 1, 2])
    for (const blk of blocks.slice(1)) {
      const bytes = blk.entries.reduce((n, e) => n + e.length, 0)
      expect(blk.count === 1 || bytes <= 1000).toBe(true)
    }
  })

  it('delivers the same entries through a FeedLog', async () => {
    const { b, blocks } = builder({ maxEntriesPerBlock: 7 })
    await Promise.all(Array.from({ length: 50 }, (_, i) => b.append(`entry ${i}`)))
    const got: unknown[] = []
    const log = new FeedLog(keyPair.publicKey, { onEntry: (e) => got.push((decodeEntry(e.data) as { value: unknown }).value) })
    for (const blk of blocks) expect(log.add(blk).status).toBe('added')
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `entry ${i}`))
    expect(Math.max(...blocks.map((x) => x.count))).toBe(7)
  })

  it('continues an existing log from its tip after a restart', async () => {
    const first = builder()
    await Promise.all([1, 2, 3].map((v) => first.b.append(v)))
    const tip = tipAfter(first.blocks[first.blocks.length - 1]!)
    expect(tip).toEqual(first.b.tip)
    const second = builder({ tip })
    expect(await second.b.append(4)).toEqual({ seq: 3, blockIndex: first.blocks.length })
    const report = await verifyLog(encodeExport(keyPair.publicKey, [...first.blocks, ...second.blocks]), keyPair.publicKey, {
      verifier: nobleEd25519
    })
    expect(report).toMatchObject({ ok: true, complete: true, entries: 4 })
  })

  it('stops for good when signing fails (going on would skip sequence numbers)', async () => {
    let fail = false
    const signer: Signer = { sign: (m, k) => (fail ? Promise.reject(new Error('hsm offline')) : nobleEd25519.sign(m, k)) }
    const { b } = builder({ signer })
    await b.append(1)
    fail = true
    const results = await Promise.allSettled([b.append(2), b.append(3)])
    for (const r of results) {
      expect(r.status).toBe('rejected')
      const err = (r as PromiseRejectedResult).reason as BroadcastError
      expect(err.code).toBe('SIGN_FAILED')
      expect((err.cause as Error).message).toBe('hsm offline')
    }
    fail = false
    await expect(b.append(4)).rejects.toMatchObject({ code: 'BUILDER_CLOSED' })
    await b.flush()
  })

  it('rejects entries over maxEntryBytes and values it cannot encode, without using a seq', async () => {
    const { b } = builder({ maxEntryBytes: 100 })
    await expect(b.append(new Uint8Array(200))).rejects.toMatchObject({ code: 'ENTRY_TOO_LARGE' })
    await expect(b.append(Symbol('x'))).rejects.toMatchObject({ code: 'ENCODE_FAILED' })
    expect(await b.append('ok')).toEqual({ seq: 0, blockIndex: 0 })
  })

  it('rejects the appends of a block whose onBlock throws, and goes on', async () => {
    let throwOnce = true
    const { b } = builder({
      onBlock: () => {
        if (throwOnce) {
          throwOnce = false
          throw new Error('send failed')
        }
      }
    })
    await expect(b.append(1)).rejects.toThrow('send failed')
    expect(await b.append(2)).toEqual({ seq: 1, blockIndex: 1 })
  })

  it('rejects misuse in the constructor', () => {
    const base = { feedKey: keyPair.publicKey, secretKey: keyPair.secretKey, signer: nobleEd25519, onBlock: () => {} }
    expect(() => new BlockBuilder({ ...base, feedKey: new Uint8Array(3) })).toThrow(RangeError)
    expect(() => new BlockBuilder({ ...base, secretKey: 'x' as never })).toThrow(TypeError)
    expect(() => new BlockBuilder({ ...base, signer: {} as never })).toThrow(TypeError)
    expect(() => new BlockBuilder({ ...base, onBlock: 1 as never })).toThrow(TypeError)
    expect(() => new BlockBuilder({ ...base, maxEntriesPerBlock: 0 })).toThrow(RangeError)
    expect(() => new BlockBuilder({ ...base, tip: { nextIndex: 0, nextSeq: 3, prevHash: new Uint8Array(32) } })).toThrow(RangeError)
    expect(() => new BlockBuilder({ ...base, tip: { nextIndex: 5, nextSeq: 3, prevHash: new Uint8Array(32) } })).toThrow(RangeError)
    expect(() => new BlockBuilder(null as never)).toThrow(TypeError)
  })
})
