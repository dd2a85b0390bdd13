import nodeCrypto from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  createNodeEd25519,
  createWebCryptoEd25519,
  encodeExport,
  nobleEd25519,
  verifyBlock,
  verifyLog
} from '../src/index.js'
import { fromHex } from '../src/bytes.js'
import { generateVectors, type VectorFile } from './vectors/generate.js'

const FILE = new URL('./vectors/blocks.json', import.meta.url)

if (process.env.UPDATE_VECTORS === '1') {
  writeFileSync(FILE, JSON.stringify(await generateVectors(), null, 2) + '\n')
}
const vectors = JSON.parse(readFileSync(FILE, 'utf8')) as VectorFile
const key = fromHex(vectors.key)

/** Independent check: node:crypto with the raw key wrapped as SPKI, no code of ours involved. */
function opensslVerify (header: Uint8Array, signature: Uint8Array): boolean {
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(key)])
  const keyObject = nodeCrypto.createPublicKey({ key: spki, format: 'der', type: 'spki' })
  try {
    return nodeCrypto.verify(null, header, keyObject, signature)
  } catch {
    return false
  }
}

const backends = [nobleEd25519, createWebCryptoEd25519(), createNodeEd25519()]

describe('test vectors (test/vectors/blocks.json)', () => {
  it('the committed file is what the generator produces (the format has not drifted)', async () => {
    expect(JSON.parse(JSON.stringify(await generateVectors()))).toEqual(vectors)
  })

  it('covers valid, tampered, reordered and forked logs', () => {
    const names = vectors.cases.map((c) => c.name)
    for (const n of ['valid-chain', 'tampered-entry', 'tampered-signature', 'broken-chain-prevHash', 'reordered', 'forked']) {
      expect(names).toContain(n)
    }
  })

  describe.each(vectors.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const blocks = c.blocks.map((b) => ({ header: fromHex(b.header), signature: fromHex(b.signature), entries: b.entries.map(fromHex) }))

    it('every signature agrees with node:crypto and with our WebCrypto, noble and node backends', async () => {
      for (const [i, b] of blocks.entries()) {
        const expected = c.blocks[i]!.signatureValid
        expect(opensslVerify(b.header, b.signature), `${c.comment} (block ${i}, node:crypto)`).toBe(expected)
        for (const ed of backends) {
          expect(await ed.verify(b.signature, b.header, key), `${c.comment} (block ${i}, ${ed.backendName})`).toBe(expected)
        }
      }
    })

    it('verifyBlock reaches the expected verdict for each block alone', async () => {
      for (const [i, b] of blocks.entries()) {
        for (const ed of backends) {
          const r = await verifyBlock(b, key, ed)
          expect(r.ok ? 'ok' : r.reason, `${c.comment} (block ${i}, ${ed.backendName})`).toBe(c.expectBlocks[i])
        }
      }
    })

    it('verifyLog reaches the expected verdict', async () => {
      for (const ed of backends) {
        const report = await verifyLog(encodeExport(key, blocks), key, { verifier: ed })
        if (c.expect.ok) {
          expect(report.ok, `${c.comment} (${ed.backendName}): got ${report.reason}`).toBe(true)
          expect(report.ranges, c.comment).toEqual(c.expect.ranges)
          expect(report.entries, c.comment).toBe(c.expect.entries)
        } else {
          expect(report.ok, c.comment).toBe(false)
          expect(report.reason, `${c.comment} (${ed.backendName})`).toBe(c.expect.reason)
          expect(report.blockIndex, c.comment).toBe(c.expect.blockIndex)
        }
      }
    })
  })
})
