// The docs list every code and message type; this keeps them from drifting from the code.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BLOCK_TAG, ErrorCode, HEADER_FIXED_BYTES, MessageType, PeerReason, VerifyReason, WireReason } from '../src/index.js'

const doc = (name: string): string => readFileSync(new URL(`../../../docs/${name}`, import.meta.url), 'utf8')

describe('docs', () => {
  it('verification.md has a table row for every reason and error code', () => {
    const text = doc('verification.md')
    for (const code of [...Object.values(VerifyReason), ...Object.values(WireReason), ...Object.values(ErrorCode)]) {
      expect(text, code).toContain(`| \`${code}\` |`)
    }
  })

  it('feed-api.md has a table row for every PeerReason', () => {
    const text = doc('feed-api.md')
    for (const code of Object.values(PeerReason)) expect(text, code).toContain(`| \`${code}\` |`)
  })

  it('block-format.md documents every message type with its number, the tag and the fixed header size', () => {
    const text = doc('block-format.md')
    for (const [name, value] of Object.entries(MessageType)) expect(text, name).toContain(`| ${value} | \`${name}\` |`)
    expect(text).toContain(BLOCK_TAG)
    expect(text).toContain(`${HEADER_FIXED_BYTES} + 32 × count`)
  })
})
