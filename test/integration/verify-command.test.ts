// `peer-tree-verify`, the command of peer-tree-broadcast, as a user runs it from the
// repository root after install and build: on a good export, a tampered one, a source's
// archive folder, a subscriber's replica file, and bad usage.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { encodeExport, encodeMessage, MessageType, type VerifiedBlock } from 'peer-tree-broadcast'
import { FileBlockStore, HypercoreArchive } from 'peer-tree-broadcast/archive'
import { makeChain, testKeyPair } from '../../packages/broadcast/test/helpers.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const bin = join(root, 'node_modules', '.bin', 'peer-tree-verify')
const keyPair = testKeyPair('verify command')
const key = Buffer.from(keyPair.publicKey).toString('base64url')
let dir: string
let blocks: VerifiedBlock[]

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'peer-tree-verify-'))
  blocks = await makeChain(12, { keyPair, sizes: Array.from({ length: 12 }, (_, i) => 1 + (i % 3)) })
})
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

function run (...args: string[]): Promise<{ code: number | null, out: string, err: string }> {
  const child = spawn(bin, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })))
}

test('a good export verifies: exit 0 and the report', async () => {
  const path = join(dir, 'good.export')
  writeFileSync(path, encodeExport(keyPair.publicKey, blocks))
  const r = await run(path, key)
  expect(r.code).toBe(0)
  expect(r.out).toContain('(export): verifies')
  expect(r.out).toMatch(/blocks\s+12\n/)
  expect(r.out).toMatch(/entries\s+24\n/)
  expect(r.out).toMatch(/ranges\s+0-11 /)
  expect(r.out).toContain('complete  yes')
})

test('a tampered export does not verify: exit 1 and the first failure with its reason', async () => {
  const tampered = blocks.map((b, i) => (i === 7 ? { ...b, entries: b.entries.map((e) => Uint8Array.from(e, (x, j) => (j === 0 ? x ^ 1 : x))) } : b))
  const path = join(dir, 'tampered.export')
  writeFileSync(path, encodeExport(keyPair.publicKey, tampered))
  const r = await run(path, key)
  expect(r.code).toBe(1)
  expect(r.out).toContain('DOES NOT VERIFY')
  expect(r.out).toMatch(/blocks\s+7\n/)
  expect(r.out).toContain('first failure: ENTRY_HASH_MISMATCH at block 7')
  // The wrong feed's key does not verify either.
  const other = Buffer.from(testKeyPair('someone else').publicKey).toString('base64url')
  const wrong = await run(join(dir, 'good.export'), other)
  expect(wrong.code).toBe(1)
  expect(wrong.out).toContain('first failure: WRONG_FEED')
})

test("a source's archive folder and a subscriber's replica file verify with the key alone", async () => {
  const archiveDir = join(dir, 'archive')
  const archive = await HypercoreArchive.open(archiveDir, keyPair)
  for (const b of blocks) await archive.append(b.index, encodeMessage({ type: MessageType.BLOCK, block: b }))
  await archive.close()
  const a = await run(archiveDir, key)
  expect(a.code).toBe(0)
  expect(a.out).toContain('(archive): verifies')
  expect(a.out).toMatch(/blocks\s+12\n/)

  const replicaPath = join(dir, 'feed.replica')
  const replica = await FileBlockStore.open(replicaPath)
  for (const b of blocks.slice(0, 5)) await replica.append(b.index, encodeMessage({ type: MessageType.BLOCK, block: b }))
  await replica.close()
  const f = await run(replicaPath, key)
  expect(f.code).toBe(0)
  expect(f.out).toContain('(replica): verifies')
  expect(f.out).toMatch(/ranges\s+0-4 /)
})

test('bad usage exits 2 with a usage line; --help exits 0', async () => {
  for (const args of [[], [join(dir, 'good.export')], [join(dir, 'good.export'), key, 'extra'], [join(dir, 'good.export'), 'not-a-key'], [join(dir, 'missing'), key]]) {
    const r = await run(...args)
    expect([args, r.code]).toEqual([args, 2])
    expect(r.err).toContain('usage: peer-tree-verify')
  }
  const help = await run('--help')
  expect(help.code).toBe(0)
  expect(help.out).toContain('usage: peer-tree-verify')
})
