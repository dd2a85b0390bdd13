// A replica file keeps what verifies: loading stops at a bad record without destroying the
// bytes after it, and the replica is cut back so that appends go on in order.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { FileBlockStore } from '../src/archive/file-block-store.js'
import { MemoryBlockStore } from '../src/net/block-store.js'
import { loadReplicaBlocks } from '../src/net/replica-load.js'
import { encodeMessage, FeedLog, MessageType, nobleEd25519, type VerifiedBlock } from '../src/index.js'
import { makeChain, testKeyPair } from './helpers.js'

const keyPair = testKeyPair('replica')
const dirs: string[] = []
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }) })

async function writeReplica (blocks: VerifiedBlock[]): Promise<{ path: string, offsets: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'peer-tree-replica-test-'))
  dirs.push(dir)
  const path = join(dir, 'feed.replica')
  const store = await FileBlockStore.open(path)
  const offsets: number[] = []
  let at = 0
  for (const b of blocks) {
    const bytes = encodeMessage({ type: MessageType.BLOCK, block: b })
    offsets.push(at)
    at += 4 + bytes.length
    await store.append(b.index, bytes)
  }
  await store.close()
  return { path, offsets }
}

test('a bad length prefix in the middle: the blocks before it load, and the bytes from it on are kept', async () => {
  const blocks = await makeChain(50, { keyPair })
  const { path, offsets } = await writeReplica(blocks)
  const original = readFileSync(path)
  const corrupt = Buffer.from(original)
  corrupt.writeUInt32BE(0xffff_fff0, offsets[30]!) // runs far past the end of the file
  writeFileSync(path, corrupt)

  const store = await FileBlockStore.open(path)
  expect(store.length).toBe(30)
  expect(store.preserved).toHaveLength(1)
  // Nothing destroyed: the replica plus its side file are the corrupted file, byte for byte.
  expect(Buffer.concat([readFileSync(path), readFileSync(store.preserved[0]!)]).equals(corrupt)).toBe(true)
  const log = new FeedLog(keyPair.publicKey)
  const loaded = await loadReplicaBlocks(store, keyPair.publicKey, nobleEd25519, (b) => log.add(b).status === 'added')
  expect(loaded).toEqual({ loaded: 30, dropped: 0 })
  expect(log.deliveredBlocks).toBe(30)
  // Appends go on in order from the last good block (backfill brings the rest).
  for (const b of blocks.slice(30)) await store.append(b.index, encodeMessage({ type: MessageType.BLOCK, block: b }))
  await store.close()
  const reopened = await FileBlockStore.open(path)
  expect(reopened.length).toBe(50)
  expect(readFileSync(path).equals(original)).toBe(true)
  await reopened.close()
})

test('a record that does not verify: loading stops there, and the replica is cut back with a copy of what it dropped', async () => {
  const blocks = await makeChain(20, { keyPair })
  const { path, offsets } = await writeReplica(blocks)
  const original = readFileSync(path)
  const corrupt = Buffer.from(original)
  corrupt[offsets[12]! + 40] = corrupt[offsets[12]! + 40]! ^ 0xff // inside block 12's header: its signature no longer verifies
  writeFileSync(path, corrupt)

  const store = await FileBlockStore.open(path)
  expect(store.length).toBe(20)
  const log = new FeedLog(keyPair.publicKey)
  const loaded = await loadReplicaBlocks(store, keyPair.publicKey, nobleEd25519, (b) => log.add(b).status === 'added')
  expect(loaded).toMatchObject({ loaded: 12, dropped: 8 })
  expect(loaded.reason).toBeDefined()
  expect(store.length).toBe(12)
  expect(Buffer.concat([readFileSync(path), readFileSync(loaded.preserved!)]).equals(corrupt)).toBe(true)
  await store.append(12, encodeMessage({ type: MessageType.BLOCK, block: blocks[12]! }))
  await store.close()
})

test('a store that cannot be cut back is refused rather than appended to out of order', async () => {
  const blocks = await makeChain(3, { keyPair })
  const store = new MemoryBlockStore()
  await store.append(0, encodeMessage({ type: MessageType.BLOCK, block: blocks[0]! }))
  await store.append(1, new Uint8Array([1, 2, 3]))
  const loaded = await loadReplicaBlocks(store, keyPair.publicKey, nobleEd25519, () => true)
  expect(loaded).toMatchObject({ loaded: 1, dropped: 1, reason: 'MALFORMED' })
  expect(store.length).toBe(1)
  const bare = { length: 2, append: store.append.bind(store), get: async (i: number) => (i === 0 ? await store.get(0) : new Uint8Array([9])), close: async () => {} }
  await expect(loadReplicaBlocks(bare, keyPair.publicKey, nobleEd25519, () => true)).rejects.toThrow(/cannot drop it/)
})
