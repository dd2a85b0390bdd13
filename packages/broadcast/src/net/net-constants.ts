/**
 * A link stops handing frames to its data channel above this many unsent bytes, and waits for
 * the channel to drain to simple-peer's low-water mark (64 KiB). Bursts of many 16 KiB frames
 * with no limit make a @roamhq/wrtc channel fail ("Ice connection failed", measured).
 */
export const HIGH_WATER_BYTES = 256 * 1024
/** Bytes sent between two readings of the channel's bufferedAmount (simple-peer's low-water mark). */
export const LOW_WATER_BYTES = 64 * 1024
/** How often a queued link reads bufferedAmount where the channel fires no bufferedamountlow (ms). */
export const DRAIN_POLL_MS = 20
/** Bytes a link may have queued for a slow receiver before it is dropped (it then backfills). */
export const DEFAULT_MAX_QUEUED_BYTES = 8 * 1024 * 1024
/**
 * A subscriber's tick while it has nothing to ask for or retry: it then only judges its
 * upstreams (over seconds) and says HAVE when idle (every DEFAULT_HAVE_INTERVAL_MS), so a
 * slower tick loses nothing; a gap arms the fast tick (tickMs) when it appears.
 */
export const IDLE_TICK_MS = 250
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
/**
 * How far past its own verified highest block a peer believes an upstream's HAVE: the
 * backfill pipeline's depth (DEFAULT_WANT_BATCH × 8 blocks in flight), so a late joiner
 * fetching a long history is never held back by it, while a lie costs at most that many
 * indices of WANTs, none of which climb past an honest peer.
 */
export const CLAIM_WINDOW = DEFAULT_WANT_BATCH * 8
/** A claim past the verified highest is refuted after this long with no asked-for block arriving (5 WANT timeouts). */
export const CLAIM_PROOF_MS = 5 * DEFAULT_WANT_TIMEOUT_MS
/**
 * WANT budget per downstream link. An honest peer paces what it asks of each upstream to these
 * rates with half the bursts (AskPacer), own backfill and relayed asks together, so it is never
 * refused: a catching-up peer gets 1,024 blocks/s (or 4 MiB/s) per upstream. Bytes: half the
 * link's queue limit per second, so a budget-abiding asker never fills the queue.
 */
export const WANT_BUDGET_BLOCKS_PER_S = 1_024
export const WANT_BUDGET_BLOCK_BURST = 2_048
export const WANT_BUDGET_BYTES_PER_S = DEFAULT_MAX_QUEUED_BYTES / 2
export const WANT_BUDGET_BYTE_BURST = DEFAULT_MAX_QUEUED_BYTES
/** Refused WANTs within WANT_REFUSAL_WINDOW_MS that get a link dropped: an honest peer is never refused at all. */
export const WANT_REFUSALS_TO_DROP = 16
export const WANT_REFUSAL_WINDOW_MS = 10_000
/** Blocks encoded again from the log before an answer yields to incoming traffic. */
export const ANSWER_SLICE_BLOCKS = 8
/** Waits one downstream link may hold in the pending-WANT table (a quarter of it). */
export const MAX_PENDING_PER_LINK = 4_096
/** Waits the pending-WANT table holds over all links. */
export const MAX_PENDING_WANTS = 16_384
/** A new upstream is not judged for this long: a link just up, or a tree under repair, catches up first. */
export const UPSTREAM_GRACE_MS = 5_000
/** An upstream this many blocks behind the other trees ... */
export const UPSTREAM_LAG_BLOCKS = 16
/** ... for this long is dropped as lagging (a tree repair takes well under a second). */
export const UPSTREAM_LAG_MS = 5_000
/** An upstream silent this long (5 HAVE intervals) while another speaks is dropped as silent. */
export const UPSTREAM_SILENT_MS = 5 * DEFAULT_HAVE_INTERVAL_MS
/**
 * The longest `haveIntervalMs` a source may set: its idle children must hear it at least twice
 * within UPSTREAM_SILENT_MS, or they would drop it as silent.
 */
export const MAX_HAVE_INTERVAL_MS = UPSTREAM_SILENT_MS / 2
/**
 * How long a closing feed keeps its peer connections open after leaving its trees, so that the
 * server's word reaches each neighbour and it closes its end first (a signalling round trip).
 */
export const LEAVE_LINGER_MS = 1_000

/**
 * How far before the first block of a live join a `rewind` may start the log: the blocks in
 * between are fetched at once, so a source's claim (a key frame long ago) costs at most this.
 */
export const MAX_REWIND_BLOCKS = 1_024
