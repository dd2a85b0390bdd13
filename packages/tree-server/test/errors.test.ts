import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { DEFAULT_MESSAGES, PeerTreeServerError, ServerErrorCodes } from '../src/index.js'

test('the error table in docs/server-api.md lists exactly ServerErrorCodes, with their messages', () => {
  const doc = readFileSync(new URL('../../../docs/server-api.md', import.meta.url), 'utf8')
  const section = doc.slice(doc.indexOf('## Error codes'))
  const rows = [...section.matchAll(/^\| `([A-Z_]+)` \| `([^`]*)` \|/gm)].map((m) => [m[1], m[2]])
  expect(rows.map(([code]) => code).sort()).toEqual(Object.values(ServerErrorCodes).sort())
  for (const [code, message] of rows) {
    if (code === 'INVALID_PAYLOAD') continue // its message names the event and field
    expect(message, code).toBe(DEFAULT_MESSAGES[code as keyof typeof DEFAULT_MESSAGES])
  }
})

test('PeerTreeServerError: stable code, message prefixed by it, wire form, cause', () => {
  const cause = new Error('disk on fire')
  const err = PeerTreeServerError.STORE_UNAVAILABLE({ treeID: 't', cause })
  expect(err).toBeInstanceOf(Error)
  expect(err.code).toBe('STORE_UNAVAILABLE')
  expect(err.message).toBe(`STORE_UNAVAILABLE: ${DEFAULT_MESSAGES.STORE_UNAVAILABLE}`)
  expect(err.cause).toBe(cause)
  expect(err.withContext({ event: 'tree:join', treeID: 'other', ref: 'r' }).toWire())
    .toEqual({ code: 'STORE_UNAVAILABLE', message: DEFAULT_MESSAGES.STORE_UNAVAILABLE, event: 'tree:join', treeID: 't', ref: 'r' })
  expect(PeerTreeServerError.TREE_NOT_FOUND().toWire()).toEqual({ code: 'TREE_NOT_FOUND', message: 'Tree does not exist.' })
})
