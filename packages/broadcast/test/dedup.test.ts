import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { BlockDedup, nobleEd25519, verifyBlock, type RawBlock } from '../src/index.js'
import { flip, makeChain, testKeyPair } from './helpers.js'

const keyPair = testKeyPair('dedup')
const sig = (n: number): Uint8Array => new Uint8Array(64).fill(n)

describe('BlockDedup', () => {
  it('verifies a block once; copies are dropped without calling verify', async () => {
    const [block] = await makeChain(1, { keyPair })
    const verifier = { verify: vi.fn(nobleEd25519.verify) }
    const dedup = new BlockDedup()
    const verify = async (): Promise<boolean> => (await verifyBlock(block!, keyPair.publicKey, verifier)).ok
    expect(await dedup.admit(0, block!.signature, verify)).toBe('accepted')
    expect(await dedup.admit(0, block!.signature, verify)).toBe('duplicate')
    expect(await dedup.admit(0, new Uint8Array(block!.signature), verify)).toBe('duplicate')
    expect(verifier.verify).toHaveBeenCalledTimes(1)
    expect(dedup.stats).toEqual({ accepted: 1, duplicates: 2, rejected: 0 })
  })

  it('copies arriving while the first is being verified wait for it instead of verifying', async () => {
    const [block] = await makeChain(1, { keyPair })
    const verifier = { verify: vi.fn(nobleEd25519.verify) }
    const dedup = new BlockDedup()
    const verify = async (): Promise<boolean> => (await verifyBlock(block!, keyPair.publicKey, verifier)).ok
    const results = await Promise.all([1, 2, 3].map(() => dedup.admit(0, block!.signature, verify)))
    expect(results.sort()).toEqual(['accepted', 'duplicate', 'duplicate'])
    expect(verifier.verify).toHaveBeenCalledTimes(1)
  })

  it('a forged copy with another signature arriving first does not block the real block', async () => {
    const [real] = await makeChain(1, { keyPair })
    const forged = { ...real!, signature: flip(real!.signature, 5) }
    const verifier = { verify: vi.fn(nobleEd25519.verify) }
    const dedup = new BlockDedup()
    const check = (b: RawBlock) => async () => (await verifyBlock(b, keyPair.publicKey, verifier)).ok
    expect(await dedup.admit(0, forged.signature, check(forged))).toBe('rejected')
    expect(await dedup.admit(0, real!.signature, check(real!))).toBe('accepted')
    // and the forgery is not remembered: it is checked (and rejected) again
    expect(await dedup.admit(0, forged.signature, check(forged))).toBe('rejected')
    expect(verifier.verify).toHaveBeenCalledTimes(3)
  })

  it('a forged copy reusing the real signature with altered entries does not shadow the real block', async () => {
    const [real] = await makeChain(1, { keyPair, sizes: [2] })
    const entries = real!.entries.slice()
    entries[1] = flip(entries[1] as Uint8Array, 2)
    const forged = { ...real!, entries }
    const dedup = new BlockDedup()
    const check = (b: RawBlock) => async () => (await verifyBlock(b, keyPair.publicKey, nobleEd25519)).ok
    // Both arrive at once, the forgery first: the real copy waits, then verifies itself.
    const [a, b] = await Promise.all([dedup.admit(0, forged.signature, check(forged)), dedup.admit(0, real!.signature, check(real!))])
    expect([a, b]).toEqual(['rejected', 'accepted'])
    expect(dedup.has(0, real!.signature)).toBe(true)
  })

  it('a verify that throws counts as rejected', async () => {
    const dedup = new BlockDedup()
    expect(await dedup.admit(3, sig(1), () => Promise.reject(new Error('boom')))).toBe('rejected')
    expect(await dedup.admit(3, sig(1), () => Promise.resolve(true))).toBe('accepted')
  })

  it('remembers at most `window` indices and copies the signature bytes', async () => {
    const dedup = new BlockDedup({ window: 100 })
    const s = sig(7)
    dedup.add(0, s)
    s.fill(0)
    expect(dedup.has(0, sig(7))).toBe(true)
    for (let i = 1; i <= 1000; i++) dedup.add(i, sig(i % 256))
    expect(dedup.size).toBe(100)
    expect(dedup.has(0, sig(7))).toBe(false)
    expect(dedup.has(1000, sig(1000 % 256))).toBe(true)
  })

  it('rejects misuse', async () => {
    const dedup = new BlockDedup()
    expect(() => dedup.has(-1, sig(1))).toThrow(RangeError)
    expect(() => dedup.has(0, new Uint8Array(63))).toThrow(RangeError)
    expect(() => dedup.add(0, 'x' as never)).toThrow(TypeError)
    await expect(dedup.admit(0, sig(1), 'x' as never)).rejects.toThrow(TypeError)
    expect(() => new BlockDedup({ window: 0 })).toThrow(RangeError)
  })

  it('property: verify runs only for keys not yet accepted, and every valid key ends accepted', async () => {
    // Arrivals of (index, signature-variant, valid?) in batches that run concurrently.
    const arrival = fc.record({ index: fc.nat(20), variant: fc.nat(3), valid: fc.boolean() })
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(arrival, { maxLength: 8 }), { maxLength: 30 }), async (batches) => {
        const dedup = new BlockDedup({ window: 1000 })
        const accepted = new Set<string>()
        let verifyCalls = 0
        for (const batch of batches) {
          const results = await Promise.all(
            batch.map(async (a) => {
              const key = `${a.index}:${a.variant}`
              const wasAccepted = accepted.has(key)
              const r = await dedup.admit(a.index, sig(a.variant), async () => {
                verifyCalls++
                expect(accepted.has(key)).toBe(false) // never verify a key already accepted
                await Promise.resolve()
                return a.valid
              })
              if (wasAccepted) expect(r).toBe('duplicate')
              if (r === 'accepted') {
                expect(accepted.has(key)).toBe(false) // accepted once per key
                accepted.add(key)
              }
              return { a, r, key }
            })
          )
          for (const { a, r, key } of results) {
            if (a.valid) expect(accepted.has(key)).toBe(true) // a valid copy is never lost
            if (r === 'duplicate') expect(accepted.has(key)).toBe(true)
          }
        }
        expect(verifyCalls).toBeLessThanOrEqual(batches.flat().length)
      }),
      { numRuns: 200 }
    )
  })
})
