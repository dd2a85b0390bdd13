/** The intake: copies dropped before verification, forgeries never shadowing the real block, both verifier kinds. */
import { describe, expect, test } from 'vitest'
import { createNodeEd25519, nobleEd25519, type Ed25519 } from '../src/crypto/ed25519.js'
import { Intake, type Verdict } from '../src/net/intake.js'
import { makeChain, testKeyPair } from './helpers.js'

const key = testKeyPair('feed').publicKey

/** Runs one admit and resolves with its verdict, whichever path it took. */
const admit = async (intake: Intake, index: number, block: Parameters<Intake['admit']>[1]): Promise<Verdict> =>
  await new Promise((resolve, reject) => intake.admit(index, block, resolve, reject))

describe.each<[string, Ed25519]>([['node:crypto (sync)', createNodeEd25519()], ['noble (async)', nobleEd25519]])('Intake with %s', (_name, ed) => {
  test('the first copy is verified and accepted, the next copies are duplicates', async () => {
    const [block] = await makeChain(1)
    const intake = new Intake(key, ed, undefined)
    const first = await admit(intake, 0, block!)
    expect(first.result).toBe('accepted')
    expect(first.verified?.index).toBe(0)
    const again = await admit(intake, 0, block!)
    expect(again).toMatchObject({ result: 'duplicate', verified: undefined })
  })

  test('a forgery carrying the real signature is rejected with its reason and does not shadow the real block', async () => {
    const [block] = await makeChain(1)
    const forged = { ...block!, entries: [new Uint8Array([1, 2, 3])] }
    const intake = new Intake(key, ed, undefined)
    const bad = await admit(intake, 0, forged)
    expect(bad.result).toBe('rejected')
    expect(bad.reason).toBe('ENTRY_HASH_MISMATCH')
    expect((await admit(intake, 0, block!)).result).toBe('accepted')
  })

  test('concurrent copies of one key are verified once', async () => {
    const [block] = await makeChain(1)
    const intake = new Intake(key, ed, undefined)
    const verdicts = await Promise.all([admit(intake, 0, block!), admit(intake, 0, block!), admit(intake, 0, block!)])
    expect(verdicts.map((v) => v.result).sort()).toEqual(['accepted', 'duplicate', 'duplicate'])
    expect(intake.dedup.stats).toMatchObject({ accepted: 1, duplicates: 2, rejected: 0 })
  })
})
