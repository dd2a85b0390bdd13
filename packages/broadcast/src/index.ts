// peer-tree-broadcast: the pure core (signed log, wire codec, dedup, gaps; no I/O) and, below
// it, the network layer that runs feeds over peer-tree trees (net/). Re-exports only; the
// Node-only durable archive is the separate entry peer-tree-broadcast/archive.
export * from './constants.js'
export * from './errors.js'
export type * from './types.js'
export { sha256, hashBackendName, type HashBackendName } from './crypto/hash.js'
export { nodeCryptoStatus, NO_NODE_CRYPTO_WARNING, type NodeCryptoStatus } from './crypto/node-crypto.js'
export {
  getEd25519,
  nobleEd25519,
  createWebCryptoEd25519,
  createNodeEd25519,
  hasNodeEd25519,
  webCryptoSupportsEd25519,
  type Ed25519,
  type Ed25519BackendName,
  type KeyPair,
  type Signer,
  type Verifier
} from './crypto/ed25519.js'
export {
  BLOCK_TAG_BYTES,
  HEADER_FIXED_BYTES,
  encodeHeader,
  parseHeader,
  peekBlockIndex,
  headerLength,
  headerHash,
  entryHashAt,
  zeroHash,
  type HeaderFields,
  type ParsedHeader,
  type ParseHeaderResult
} from './log/signable.js'
export {
  signBlock,
  verifyBlock,
  verifyBlockSync,
  parseBlock,
  peekBlockKey,
  checkBlockContent,
  type RawBlock,
  type Block,
  type VerifiedBlock,
  type BlockInput,
  type ParseBlockResult,
  type VerifyBlockResult
} from './log/block.js'
export {
  FeedLog,
  type FeedLogOptions,
  type AddResult,
  type DeliveredEntry,
  type ForkEvidence
} from './log/feed-log.js'
export { exportLog, encodeExport, decodeExport, type ExportedLog, type DecodeExportResult } from './log/export.js'
export { verifyLog, feedKeyBytes, type VerifyLogOptions, type VerifyLogReport } from './log/verify-log.js'
export { encodeEntry, decodeEntry, type EntryValue, type DecodeEntryResult } from './codec.js'
export {
  MessageType,
  encodeMessage,
  decodeMessage,
  FrameEncoder,
  type FrameEncoderOptions,
  type WireMessage,
  type BlockMessage,
  type WantMessage,
  type HaveMessage,
  type FragmentMessage,
  type DecodeMessageResult
} from './wire.js'
export {
  Reassembler,
  FrameDecoder,
  type ReassemblerOptions,
  type ReassemblerStats,
  type PushResult,
  type Frame,
  type ReceiveResult
} from './reassembler.js'
export { BlockDedup, type DedupOptions, type AdmitResult, type DedupStats } from './dedup.js'
export { GapTracker, type GapTrackerOptions } from './gap-tracker.js'
export { BlockBuilder, tipAfter, type BlockBuilderOptions, type LogTip, type Appended } from './block-builder.js'
// The network layer: feeds over the trees.
export { Feed, type CreateFeedOptions, type JoinFeedOptions, type FeedSource, type FeedSubscriber } from './net/feed.js'
export { Source, type SourceStats, type SourceEvents } from './net/source.js'
export { Subscriber, type SubscriberStats, type SubscriberEvents, type Entry, type LiveRewind } from './net/subscriber.js'
export { MemoryBlockStore, exportStore, type BlockStore } from './net/block-store.js'
export { IndexedDbBlockStore, replicaDbName, type IndexedDbBlockStoreOptions } from './browser/indexed-db-block-store.js'
export { Forest, type ForestEvents, type ForestOptions } from './net/forest.js'
export { FeedLink, type FeedLinkInfo, type FeedLinkOptions, type LinkDirection } from './net/feed-link.js'
export { LinkForest, type LinkForestEvents, type LinkForestOptions } from './net/link-forest.js'
export { type MessageLink, type MessageLinkHandlers } from './net/message-link.js'
export { SimplePeerLink } from './net/simple-peer-link.js'
export { memoryLinkPair, type MemoryLink, type MemoryLinkOptions, type Carry } from './net/memory-link.js'
export { systemClock, type Clock, type ClockTimer } from './net/clock.js'
