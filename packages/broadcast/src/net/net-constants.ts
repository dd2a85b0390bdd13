/**
 * A link stops handing frames to its data channel above this many unsent bytes, and waits for
 * the channel to drain to simple-peer's low-water mark (64 KiB). Bursts of many 16 KiB frames
 * with no limit make the channel fail (FACTS.md).
 */
export const HIGH_WATER_BYTES = 256 * 1024
/** Bytes sent between two readings of the channel's bufferedAmount (simple-peer's low-water mark). */
export const LOW_WATER_BYTES = 64 * 1024
/** Bytes a link may have queued for a slow receiver before it is dropped (it then backfills). */
export const DEFAULT_MAX_QUEUED_BYTES = 8 * 1024 * 1024
/** Trees per feed: one departure then cuts at most one tree below it, and two others carry on. */
export const DEFAULT_TREES = 3
/**
 * k per tree. With every block on every tree, a relay forwards in one tree only, so upload
 * equals download when k equals the number of trees (docs/feed-api.md, "choosing m and k").
 */
export const DEFAULT_FEED_K = 3
/** The source's children per tree: its upload is trees × k1 copies of each block. */
export const DEFAULT_FEED_K1 = 4
/** How long a missing block may stay missing before it is asked for, unless every tree already passed it. */
export const DEFAULT_GAP_GRACE_MS = 150
/** How long a WANT may stay unanswered before it is asked of another upstream. */
export const DEFAULT_WANT_TIMEOUT_MS = 1_000
/** Most blocks asked for in one WANT. */
export const DEFAULT_WANT_BATCH = 64
/** How often an idle source says where the log ends, so a lost last block is noticed. */
export const DEFAULT_HAVE_INTERVAL_MS = 1_000
/** Blocks a relay keeps in memory to answer its children's WANTs. */
export const DEFAULT_CACHE_BLOCKS = 4_096
/** Most trees per feed (the server's owned-tree index limit is higher; more trees only add copies). */
export const MAX_TREES = 16
