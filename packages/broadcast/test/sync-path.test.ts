// The synchronous hot path a relay takes with node:crypto: the same verdicts as the async one.
import { describe, expect, it, vi } from 'vitest'
import { BlockDedup, createNodeEd25519, verifyBlock, verifyBlockSync, type RawBlock } from '../src/index.js'
import { flip, makeChain, testKeyPair } from './helpers.js'

const keyPair = testKeyPair('sync path')
const node = createNodeEd25519()
const verifySync = node.verifySync as NonNullable<typeof node.verifySync>

async function block (): Promise<RawBlock> {
  const [, b] = await makeChain(2, { keyPair, sizes: [1, 3] })
  return { header: b!.header, signature: b!.signature, entries: b!.entries }
}

describe('verifyBlockSync', () => {
  it('gives the verdict and reason verifyBlock gives, for a good block and each kind of tampering', async () => {
    const good = await block()
    const cases: RawBlock[] = [
      good,
      { ...good, signature: flip(good.signature, 5) },
      { ...good, header: flip(good.header, 60) },
      { ...good, entries: [flip(good.entries[0] as Uint8Array, 0), ...good.entries.slice(1)] },
      { ...good, entries: good.entries.slice(1) }
    ]
    for (const raw of cases) {
      const a = await verifyBlock(raw, keyPair.publicKey, node)
      const b = verifyBlockSync(raw, keyPair.publicKey, verifySync)
      expect(b.ok).toBe(a.ok)
      if (!a.ok && !b.ok) expect(b.reason).toBe(a.reason)
    }
    expect(verifyBlockSync(good, keyPair.publicKey, verifySync).ok).toBe(true)
  })
})

describe('BlockDedup.admitSync', () => {
  it('verifies a key once, drops its copies unverified, and leaves a key in flight to admit()', async () => {
    const good = await block()
    const dedup = new BlockDedup()
    const verify = vi.fn(() => verifyBlockSync(good, keyPair.publicKey, verifySync).ok)
    expect(dedup.admitSync(1, good.signature, verify)).toBe('accepted')
    expect(dedup.admitSync(1, good.signature, verify)).toBe('duplicate')
    expect(verify).toHaveBeenCalledTimes(1)
    expect(dedup.stats).toEqual({ accepted: 1, duplicates: 1, rejected: 0 })

    const forged = flip(good.signature, 1)
    expect(dedup.admitSync(1, forged, () => false)).toBe('rejected')
    expect(dedup.has(1, forged)).toBe(false)

    let release!: (ok: boolean) => void
    const slow = dedup.admit(2, good.signature, () => new Promise<boolean>((resolve) => { release = resolve }))
    expect(dedup.admitSync(2, good.signature, () => true)).toBeUndefined() // the async copy decides
    release(true)
    expect(await slow).toBe('accepted')
    expect(dedup.admitSync(2, good.signature, () => true)).toBe('duplicate')
  })
})
