import nodeCrypto from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  createNodeEd25519,
  createWebCryptoEd25519,
  getEd25519,
  hashBackendName,
  nobleEd25519,
  sha256,
  webCryptoSupportsEd25519,
  type Ed25519
} from '../src/index.js'
import { fromHex, toHex } from '../src/bytes.js'
import { sha256Noble } from '../src/crypto/hash.js'
import { HOSTILE_VALUES } from './helpers.js'

const backends: [string, () => Ed25519][] = [
  ['noble', () => nobleEd25519],
  ['webcrypto', () => createWebCryptoEd25519()],
  ['node', () => createNodeEd25519()]
]

// RFC 8032 section 7.1, tests 1-3.
const RFC8032 = [
  {
    secretKey: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'
  },
  {
    secretKey: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'
  },
  {
    secretKey: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a'
  }
]

describe('sha256', () => {
  it('uses node:crypto in Node and agrees with noble', () => {
    expect(hashBackendName).toBe('node')
    for (const len of [0, 1, 55, 56, 64, 100, 1024, 100_000]) {
      const data = nodeCrypto.randomBytes(len)
      expect(toHex(sha256(data))).toBe(toHex(sha256Noble(data)))
      expect(toHex(sha256(data))).toBe(nodeCrypto.createHash('sha256').update(data).digest('hex'))
    }
    expect(toHex(sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('throws TypeError for non-bytes', () => {
    for (const [, v] of HOSTILE_VALUES) expect(() => sha256(v as Uint8Array)).toThrow(TypeError)
  })
})

describe.each(backends)('ed25519 backend %s', (name, make) => {
  const ed = make()

  it('has its name', () => {
    expect(ed.backendName).toBe(name)
  })

  it('reproduces and verifies the RFC 8032 vectors', async () => {
    for (const v of RFC8032) {
      const sk = fromHex(v.secretKey)
      const msg = fromHex(v.message)
      expect(toHex(await ed.getPublicKey(sk))).toBe(v.publicKey)
      expect(toHex(await ed.sign(msg, sk))).toBe(v.signature)
      expect(await ed.verify(fromHex(v.signature), msg, fromHex(v.publicKey))).toBe(true)
    }
  })

  it('resolves false for a bad signature, message or key', async () => {
    const v = RFC8032[1] as (typeof RFC8032)[number]
    const sig = fromHex(v.signature)
    const msg = fromHex(v.message)
    const pub = fromHex(v.publicKey)
    const badSig = new Uint8Array(sig)
    badSig[10] = (badSig[10] as number) ^ 0x40
    expect(await ed.verify(badSig, msg, pub)).toBe(false)
    expect(await ed.verify(sig, new Uint8Array([0x73]), pub)).toBe(false)
    expect(await ed.verify(sig, msg, fromHex(RFC8032[0]!.publicKey))).toBe(false)
    // S >= L (non-canonical) and a key that is not a curve point: false, never a throw.
    const highS = new Uint8Array(sig)
    highS.fill(0xff, 32)
    expect(await ed.verify(highS, msg, pub)).toBe(false)
    const notAPoint = fromHex('02'.padEnd(64, '0')) // y = 2 has no x on the curve
    expect(await ed.verify(sig, msg, notAPoint)).toBe(false)
    expect(await ed.verify(sig, msg, new Uint8Array(32).fill(0xff))).toBe(false)
  })

  it('generates key pairs that the other backends accept', async () => {
    const { publicKey, secretKey } = await ed.generateKeyPair()
    expect(publicKey).toHaveLength(32)
    expect(secretKey).toHaveLength(32)
    expect(toHex(await ed.getPublicKey(secretKey))).toBe(toHex(publicKey))
    const msg = new TextEncoder().encode('cross-backend')
    const sig = await ed.sign(msg, secretKey)
    for (const [, other] of backends) {
      const o = other()
      expect(await o.verify(sig, msg, publicKey)).toBe(true)
      expect(toHex(await o.sign(msg, secretKey))).toBe(toHex(sig))
    }
  })

  it('caches keys without mixing them up', async () => {
    const a = await ed.generateKeyPair()
    const b = await ed.generateKeyPair()
    const msg = new Uint8Array([1, 2, 3])
    const sa = await ed.sign(msg, a.secretKey)
    const sb = await ed.sign(msg, b.secretKey)
    for (let i = 0; i < 3; i++) {
      expect(await ed.verify(sa, msg, a.publicKey)).toBe(true)
      expect(await ed.verify(sb, msg, b.publicKey)).toBe(true)
      expect(await ed.verify(sa, msg, b.publicKey)).toBe(false)
    }
    // A caller mutating its key array afterwards must not poison the cache.
    const pub = new Uint8Array(a.publicKey)
    expect(await ed.verify(sa, msg, pub)).toBe(true)
    pub[0] = (pub[0] as number) ^ 1
    expect(await ed.verify(sa, msg, pub)).toBe(false)
  })

  it('rejects wrong argument types with TypeError and sizes with RangeError', async () => {
    const sig = new Uint8Array(64)
    const pub = new Uint8Array(32)
    const msg = new Uint8Array(1)
    for (const [label, v] of HOSTILE_VALUES) {
      await expect(ed.verify(v as Uint8Array, msg, pub), label).rejects.toThrow(TypeError)
      await expect(ed.verify(sig, v as Uint8Array, pub), label).rejects.toThrow(TypeError)
      await expect(ed.verify(sig, msg, v as Uint8Array), label).rejects.toThrow(TypeError)
      await expect(ed.sign(v as Uint8Array, pub), label).rejects.toThrow(TypeError)
      await expect(ed.sign(msg, v as Uint8Array), label).rejects.toThrow(TypeError)
    }
    await expect(ed.verify(new Uint8Array(63), msg, pub)).rejects.toThrow(RangeError)
    await expect(ed.verify(new Uint8Array(65), msg, pub)).rejects.toThrow(RangeError)
    await expect(ed.verify(sig, msg, new Uint8Array(31))).rejects.toThrow(RangeError)
    await expect(ed.verify(sig, msg, new Uint8Array(33))).rejects.toThrow(RangeError)
    await expect(ed.sign(msg, new Uint8Array(64))).rejects.toThrow(RangeError)
    await expect(ed.getPublicKey(new Uint8Array(31))).rejects.toThrow(RangeError)
  })
})

describe('automatic backend', () => {
  it('detects WebCrypto Ed25519 in Node and picks it, once', async () => {
    expect(await webCryptoSupportsEd25519()).toBe(true)
    const a = await getEd25519()
    expect(a.backendName).toBe('webcrypto')
    expect(await getEd25519()).toBe(a)
  })

  it('falls back when a SubtleCrypto lacks Ed25519 or lies about it', async () => {
    const noEd = { importKey: () => Promise.reject(new Error('NotSupportedError')) } as unknown as SubtleCrypto
    expect(await webCryptoSupportsEd25519(noEd)).toBe(false)
    const real = globalThis.crypto.subtle
    const liar = {
      importKey: real.importKey.bind(real),
      sign: real.sign.bind(real),
      verify: () => Promise.resolve(true) // accepts everything, including the corrupted vector
    } as unknown as SubtleCrypto
    expect(await webCryptoSupportsEd25519(liar)).toBe(false)
  })
})
