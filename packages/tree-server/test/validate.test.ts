import { describe, expect, test } from 'vitest'
import { createValidators, echoOf, jsonBytes } from '../src/validate.js'

const v = createValidators({ maxSignalBytes: 100 })
const key = 'A'.repeat(42) + 'A' // 43 chars of canonical base64url (32 zero-ish bytes)
const signature = 'A'.repeat(86)

describe('validators', () => {
  test('accept what the protocol describes, drop unknown keys, treat null as absent', () => {
    expect(v.create({ ref: 'r', k: 2, k1: null, extra: 1 })).toEqual({ ok: true, value: { ref: 'r', k: 2, k1: null } })
    expect(v.join({ treeID: 'abc_-1', role: 'leaf' })).toEqual({ ok: true, value: { treeID: 'abc_-1', role: 'leaf' } })
    expect(v.join({ treeID: `${key}.63` }).ok).toBe(true)
    expect(v.reconnect({ treeID: 't', session: null })).toEqual({ ok: true, value: { treeID: 't', session: null } })
    expect(v.resume({ treeID: 't', token: 'peer.secret' })).toEqual({ ok: true, value: { treeID: 't', token: 'peer.secret', peerID: 'peer' } })
    expect(v.signal({ treeID: 't', session: 's', signal: { type: 'offer', sdp: 'x' } }).ok).toBe(true)
    expect(v.connected({ treeID: 't', session: 's' }).ok).toBe(true)
    expect(v.create({ ref: 'r', owner: { key, index: 0, nonce: 'n', signature } }).ok).toBe(true)
  })

  test('prototype names are valid IDs (they are simply unknown)', () => {
    for (const treeID of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) expect(v.join({ treeID }).ok).toBe(true)
  })

  const bad: Array<[string, (p: unknown) => { ok: boolean }, unknown]> = [
    ['no payload', v.join, undefined],
    ['null', v.join, null],
    ['a string', v.join, 'tree'],
    ['an array', v.join, ['t']],
    ['a number treeID', v.join, { treeID: 42 }],
    ['an empty treeID', v.join, { treeID: '' }],
    ['a long treeID', v.join, { treeID: 'x'.repeat(200) }],
    ['a treeID with a slash', v.join, { treeID: 'a/b' }],
    ['a bad role', v.join, { treeID: 't', role: 'root' }],
    ['k = 0', v.create, { ref: 'r', k: 0 }],
    ['k = 1.5', v.create, { ref: 'r', k: 1.5 }],
    ['k = NaN', v.create, { ref: 'r', k: Number.NaN }],
    ['k as a string', v.create, { ref: 'r', k: '2' }],
    ['no ref', v.create, {}],
    ['a long ref', v.create, { ref: 'r'.repeat(200) }],
    ['owner index 64', v.create, { ref: 'r', owner: { key, index: 64, nonce: 'n', signature } }],
    ['owner key too short', v.create, { ref: 'r', owner: { key: 'AAAA', index: 0, nonce: 'n', signature } }],
    ['non-canonical key', v.create, { ref: 'r', owner: { key: 'A'.repeat(42) + 'B', index: 0, nonce: 'n', signature } }],
    ['missing session', v.reconnect, { treeID: 't' }],
    ['failed as a string', v.reconnect, { treeID: 't', session: null, failed: 'yes' }],
    ['token without a dot', v.resume, { treeID: 't', token: 'abc' }],
    ['missing signal', v.signal, { treeID: 't', session: 's' }],
    ['null signal', v.signal, { treeID: 't', session: 's', signal: null }],
    ['oversized signal', v.signal, { treeID: 't', session: 's', signal: { sdp: 'x'.repeat(200) } }],
    ['session as an object', v.connected, { treeID: 't', session: {} }]
  ]
  test.each(bad)('refuse %s as INVALID_PAYLOAD', (_what, validate, payload) => {
    const r = validate(payload)
    expect(r).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD' })
  })

  test('a refusal says where', () => {
    expect(v.join({ treeID: 42 })).toMatchObject({ ok: false, message: expect.stringMatching(/tree:join.*treeID/) })
  })

  test('jsonBytes counts UTF-8 bytes and is Infinity for what JSON cannot hold', () => {
    expect(jsonBytes({ a: 'é' })).toBe(Buffer.byteLength('{"a":"é"}'))
    let deep: unknown = 0
    for (let i = 0; i < 100_000; i++) deep = [deep]
    expect(jsonBytes(deep)).toBe(Infinity)
    expect(jsonBytes(undefined)).toBe(Infinity)
    expect(jsonBytes(10n)).toBe(Infinity)
  })

  test('echo picks sane treeID and ref strings only', () => {
    expect(echoOf({ treeID: 't', ref: 'r' })).toEqual({ treeID: 't', ref: 'r' })
    expect(echoOf({ treeID: 5, ref: 'x'.repeat(500) })).toEqual({ treeID: undefined, ref: undefined })
    expect(echoOf('nope')).toEqual({})
  })
})
