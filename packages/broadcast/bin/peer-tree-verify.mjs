#!/usr/bin/env node
// peer-tree-verify <export file | replica file | archive folder> <feed key>
// Verifies a feed's log with the feed key alone and prints what it found. Exit codes:
// 0 the log verifies, 1 it does not (or a replica file has an unreadable tail), 2 bad usage.
import { verifyPath } from '../dist/archive.js'

const USAGE = 'usage: peer-tree-verify <export file | replica file | archive folder> <feed key (43-character base64url)>'

/** What each reason means, for a person reading the report. */
const REASONS = {
  MALFORMED: 'bytes that do not parse as a block or an export',
  BAD_TAG: 'a header without the peer-tree/block/v1 tag',
  WRONG_FEED: 'the log or a block belongs to another feed key',
  COUNT_MISMATCH: "a header's entry count differs from the entries carried",
  ENTRY_HASH_MISMATCH: 'an entry does not match the hash its header lists',
  BAD_SIGNATURE: 'a signature does not verify under the feed key',
  CHAIN_MISMATCH: 'a block does not link to the block before it',
  FORK: 'two different validly signed blocks for one index: the source signed two histories',
  OUT_OF_ORDER: 'blocks not in increasing index order',
  UNSUPPORTED_VERSION: 'an export of a version this tool does not read'
}

const args = process.argv.slice(2)
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE)
  console.log('Verifies every block (structure, entry hashes, signature, chain links) and prints the blocks,')
  console.log('entries and index ranges present and the first failure. Exits 0 when the log verifies, 1 when')
  console.log('it does not, 2 for bad usage.')
  process.exit(0)
}
if (args.length !== 2 || args.some((a) => a.startsWith('-'))) {
  console.error(USAGE)
  process.exit(2)
}
const [path, key] = args

let report
try {
  report = await verifyPath(path, key)
} catch (err) {
  const reason = err instanceof TypeError ? err.message : err?.code === 'ENOENT' ? `no such file or folder: ${path}` : String(err?.message ?? err)
  console.error(`peer-tree-verify: ${reason}`)
  console.error(USAGE)
  process.exit(2)
}

const ranges = (rs) => (rs.length === 0 ? 'none' : rs.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', '))
const ok = report.ok && report.unreadableAt === undefined
console.log(`${path} (${report.source}): ${ok ? 'verifies' : 'DOES NOT VERIFY'}`)
console.log(`blocks    ${report.blocks}`)
console.log(`entries   ${report.entries}`)
console.log(`ranges    ${ranges(report.ranges)} (block indices)`)
console.log(`seqs      ${ranges(report.seqRanges)}`)
console.log(`complete  ${report.complete ? 'yes, from block 0 without a gap' : 'no'}`)
if (!report.ok) {
  const where = [report.blockIndex !== undefined && `block ${report.blockIndex}`, report.position !== undefined && `position ${report.position} in the log`].filter(Boolean).join(', ')
  console.log(`first failure: ${report.reason}${where ? ` at ${where}` : ''}: ${REASONS[report.reason] ?? ''}`)
}
if (report.unreadableAt !== undefined) console.log(`unreadable: the replica's records stop being readable at byte ${report.unreadableAt}`)
process.exit(ok ? 0 : 1)
