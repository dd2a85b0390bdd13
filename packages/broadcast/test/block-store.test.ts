// The BlockStore cases against the Node stores; test/browser/indexed-db-store.test.ts runs the
// same cases against IndexedDbBlockStore in Chromium.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { FileBlockStore } from '../src/archive/file-block-store.js'
import { MemoryBlockStore } from '../src/net/block-store.js'
import { blockStoreCases } from './conformance/block-store-suite.js'

const dir = mkdtempSync(join(tmpdir(), 'peer-tree-block-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('BlockStore conformance: MemoryBlockStore', () => {
  for (const c of blockStoreCases.filter((c) => c.persistent !== true)) {
    test(c.name, async () => { await c.run({ open: async () => new MemoryBlockStore() }) })
  }
})

describe('BlockStore conformance: FileBlockStore', () => {
  blockStoreCases.forEach((c, i) => {
    test(c.name, async () => { await c.run({ open: () => FileBlockStore.open(join(dir, `case-${i}.replica`)) }) })
  })
})

describe('IndexedDbBlockStore outside a browser', () => {
  test('loads with the package and says STORE_FAILED when opened where there is no IndexedDB', async () => {
    const { IndexedDbBlockStore, ErrorCode } = await import('../src/index.js')
    await expect(IndexedDbBlockStore.open(new Uint8Array(32))).rejects.toMatchObject({ code: ErrorCode.STORE_FAILED })
    await expect(IndexedDbBlockStore.open('not a key')).rejects.toThrow(TypeError)
  })
})
