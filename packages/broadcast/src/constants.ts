/**
 * Every default of the pure broadcast core, each with the reason for its value.
 * Byte layouts are fixed by the format (see docs/block-format.md); the rest are defaults
 * that options override.
 */

/** Domain tag that starts every signed header, so a block signature can never be replayed as a signature of anything else. */
export const BLOCK_TAG = 'peer-tree/block/v1'

/** Ed25519 public key size (RFC 8032); a feed is named by its public key. */
export const FEED_KEY_BYTES = 32

/** Ed25519 secret key size: the 32-byte RFC 8032 seed, the form every library accepts. */
export const SECRET_KEY_BYTES = 32

/** Ed25519 signature size (RFC 8032). */
export const SIGNATURE_BYTES = 64

/** SHA-256 output size, used for entry hashes and the header hash chain. */
export const HASH_BYTES = 32

/** Largest u64 we accept in a header: JS numbers are exact only up to 2^53 - 1. */
export const MAX_SAFE_U64 = Number.MAX_SAFE_INTEGER

/** Largest u32 (the header's entry count field). */
export const MAX_U32 = 0xffff_ffff

/** Entries per block at most: 256 × 32-byte hashes keeps a header at ~8 KiB while amortising one signature over many entries. */
export const DEFAULT_MAX_ENTRIES_PER_BLOCK = 256

/** Entry bytes per block at most (a single larger entry still gets a block of its own): a block fits in ~16 data-channel messages and one lost block costs little to re-send. */
export const DEFAULT_MAX_BLOCK_BYTES = 256 * 1024

/** Largest encoded entry the source accepts: bounds the largest block, so receivers can cap reassembly without refusing honest blocks. */
export const DEFAULT_MAX_ENTRY_BYTES = 4 * 1024 * 1024

/** Largest wire message before it is fragmented: 16 KiB is the message size every browser's data channel delivers intact. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024

/** Smallest maxMessageBytes we accept: below this the fragment overhead dominates and a header could not travel usefully. */
export const MIN_MAX_MESSAGE_BYTES = 256

/** Bytes reserved in each fragment for its envelope (type, id, index, total, bin header); the real envelope is at most 22 bytes (fixarray, type, three u32s, bin32 header). */
export const FRAGMENT_OVERHEAD_BYTES = 32

/** Largest message the reassembler rebuilds: twice the largest honest block (one 4 MiB entry plus header), so no honest block is refused. */
export const DEFAULT_MAX_REASSEMBLED_BYTES = 8 * 1024 * 1024

/** Messages being reassembled at once per link: an honest sender interleaves only a few; more means a peer is wasting our memory. */
export const DEFAULT_MAX_PENDING_MESSAGES = 16

/** Bytes held for unfinished messages per link: room for two of the largest honest messages, a hard cap on what a lying peer can make us hold. */
export const DEFAULT_MAX_PENDING_BYTES = 16 * 1024 * 1024

/** Fragments per message at most: 8 MiB in 16 KiB messages is about 513 fragments; 4096 also admits senders with smaller messages and caps the per-message index table. */
export const DEFAULT_MAX_FRAGMENTS = 4096

/** An unfinished message is dropped this long after its first fragment: a data channel delivers 8 MiB well within this, a stalled or lying peer's leftovers do not stay. */
export const DEFAULT_REASSEMBLY_TIMEOUT_MS = 15_000

/** Block keys the dedup window remembers: about a second of blocks at full speed (~4,700 blocks/s of 64 entries), for the m copies from m trees; ~2 MB. */
export const DEFAULT_DEDUP_WINDOW = 8192

/** Ranges a HAVE message may carry: enough for a badly fragmented replica, small enough to parse at once. */
export const MAX_HAVE_RANGES = 1024

/** Signatures verifyLog checks at once: WebCrypto verifies ~2x faster with many in flight, and 64 keeps the memory of a check bounded. */
export const DEFAULT_VERIFY_CONCURRENCY = 64

/** Public keys whose imported CryptoKey / KeyObject is kept: a peer follows few feeds, and a feed has one key. */
export const DEFAULT_KEY_CACHE_SIZE = 64

/** Version of the exported log format written by exportLog. */
export const EXPORT_VERSION = 1
