/**
 * Verifies a feed's log from what is on disk (Node only), with the feed key alone: an export
 * file (`await feed.export()`, `await sub.export()`), a subscriber's replica file
 * (FileBlockStore) or a source's archive folder (HypercoreArchive). Reads only: a damaged
 * replica is reported, never repaired here. What the `peer-tree-verify` command runs.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import Hypercore from 'hypercore'
import { equalBytes } from '../bytes.js'
import { VerifyReason } from '../errors.js'
import { decodeExport } from '../log/export.js'
import { feedKeyBytes, verifyLog, type VerifyLogReport } from '../log/verify-log.js'
import { exportStore, type BlockStore } from '../net/block-store.js'

export type VerifiedSource = 'export' | 'replica' | 'archive'

export interface PathReport extends VerifyLogReport {
  /** What the path held. */
  source: VerifiedSource
  /** For a replica file: the offset where records stop being readable (a damaged or torn tail). */
  unreadableAt?: number
}

/**
 * Verifies the log at `path` against the feed key (its 32 bytes or its 43-character string).
 * Throws TypeError for a bad key and the file system's error for a path that cannot be read.
 */
export async function verifyPath (path: string, key: Uint8Array | string): Promise<PathReport> {
  const feedKey = feedKeyBytes(key)
  if ((await stat(path)).isDirectory()) return await verifyArchive(path, feedKey)
  const bytes = new Uint8Array(await readFile(path))
  const records = replicaRecords(bytes)
  // An export is one msgpack map; a replica is length-prefixed records. Try the export first.
  if (decodeExport(bytes).ok || records === undefined) return { source: 'export', ...(await verifyLog(bytes, feedKey)) }
  const store: BlockStore = {
    length: records.list.length,
    get: async (i) => records.list[i],
    append: async () => { throw new Error('read only') },
    close: async () => {}
  }
  const report = await verifyLog(await exportStore(store, feedKey), feedKey)
  return { source: 'replica', ...report, ...(records.end < bytes.length && { unreadableAt: records.end }) }
}

/**
 * The records of a replica file, without changing it; undefined when not even the first
 * record reads (then it is not a replica).
 */
export function replicaRecords (bytes: Uint8Array): { list: Uint8Array[], end: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const list: Uint8Array[] = []
  let at = 0
  while (at + 4 <= bytes.length) {
    const length = view.getUint32(at)
    if (length === 0 || at + 4 + length > bytes.length) break
    list.push(bytes.subarray(at + 4, at + 4 + length))
    at += 4 + length
  }
  return list.length === 0 ? undefined : { list, end: at }
}

async function verifyArchive (dir: string, feedKey: Uint8Array): Promise<PathReport> {
  // An empty folder would become a new hypercore: refuse it rather than create one.
  if ((await readdir(dir)).length === 0) throw new Error(`${dir} is an empty folder, not an archive`)
  // A hypercore 11 is named by a hash of its manifest, not by the signing key: open what the
  // folder holds and compare the manifest's signer with the feed key.
  const core = new Hypercore(dir)
  try {
    await core.ready()
    const signer = core.manifest?.signers?.[0]?.publicKey
    if (signer === undefined || !equalBytes(signer, feedKey)) {
      return { source: 'archive', ok: false, reason: VerifyReason.WRONG_FEED, blocks: 0, entries: 0, ranges: [], seqRanges: [], complete: false }
    }
    const store: BlockStore = {
      length: core.length,
      get: async (i) => (await core.get(i, { wait: false })) ?? undefined,
      append: async () => { throw new Error('read only') },
      close: async () => {}
    }
    return { source: 'archive', ...(await verifyLog(await exportStore(store, feedKey), feedKey)) }
  } finally {
    await core.close()
  }
}
