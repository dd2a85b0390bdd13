/**
 * Every default and fixed limit of peer-tree-server, each with the reason it has that value.
 */

/** Children per member: the original peer-tree's documented default, so code written for it gets the trees it expects; 4 keeps a member's upload to 4 copies. */
export const DEFAULT_K = 4

/**
 * Children of the source: 10, the figure the original peer-tree documented (its code said 5;
 * code written against its documented API expects 10). The source is usually the
 * best-connected peer, so it takes more.
 */
export const DEFAULT_K1 = 10

/** Ceiling for a per-tree `k`/`k1` asked for in `tree:create`: no client may ask a peer to hold more links than this. */
export const DEFAULT_MAX_K = 64

/** Members per tree. Bounds one tree's state (and one BFS) to a size a process handles in well under a millisecond. */
export const DEFAULT_MAX_PEERS_PER_TREE = 10_000

/** Trees per server. Bounds memory against a client that creates trees in a loop. */
export const DEFAULT_MAX_TREES = 10_000

/** Memberships per socket. A broadcast feed uses a few trees per socket (m = 3 typically); 16 leaves room for several feeds. */
export const DEFAULT_MAX_TREES_PER_SOCKET = 16

/** `peer:signal` events per socket per second. One WebRTC link needs ~10-30 signals; 200/s lets a parent set up several links at once. */
export const DEFAULT_SIGNALS_PER_SECOND = 200

/** `tree:*` events per socket per second. An honest client sends a handful per tree per churn event. */
export const DEFAULT_REQUESTS_PER_SECOND = 20

/** Token buckets hold this many seconds' worth of tokens, so a burst (a join storm, ICE trickle) is not refused. */
export const BURST_FACTOR = 2

/** Bytes of one signal as JSON. An SDP offer with many codecs is 4-8 KiB; 16 KiB leaves room and still bounds the relay. */
export const DEFAULT_MAX_SIGNAL_BYTES = 16_384

/**
 * How long a membership outlives its socket. 0: a dropped socket leaves at once, as in the
 * original, and its children are re-placed immediately (they are never left waiting).
 */
export const DEFAULT_RECONNECT_GRACE_MS = 0

/**
 * How long a new link may stay unconfirmed (`peer:connected` from each end) before the
 * child is moved elsewhere and the parent's slot freed: three times the client's default
 * connection timeout, so an honest client always reports first, and a silent or broken one
 * cannot hold a slot for ever (the original waited for WebRTC to notice, which it might never do).
 */
export const DEFAULT_LINK_TIMEOUT_MS = 30_000

/** Lifetime of an owner-proof nonce: long enough for a slow signer, short enough that a leaked nonce is soon useless. */
export const DEFAULT_CHALLENGE_TTL_MS = 30_000

/** Highest owned-tree index: a feed uses a handful of trees, and a bound keeps owned tree IDs short. */
export const MAX_OWNED_TREE_INDEX = 63

/** Random bytes in a plain tree ID: 144 bits, not guessable (the original's cuid was). */
export const TREE_ID_BYTES = 18

/** Random bytes in peer and session IDs: 128 bits, not guessable, so no one can address a link they were not given. */
export const ID_BYTES = 16

/** Random bytes in the secret part of a resume token. */
export const TOKEN_SECRET_BYTES = 24

/** Longest string accepted as a tree ID, session ID or resume token; real ones are far shorter. */
export const MAX_ID_LENGTH = 128

/** Longest `ref` accepted in `tree:create`; it is a client's correlation ID, not data. */
export const MAX_REF_LENGTH = 128

/** Prefix of the socket.io room that holds a member's socket: `pt:<peerID>`. */
export const ROOM_PREFIX = 'pt:'

/** Longest `setTimeout` delay Node accepts; a longer grace period would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647

/** Delay before retrying the removal of a member whose socket is gone, after the store refused it. */
export const STORE_RETRY_MS = 1_000

/** How often a process sharing a store counts a heartbeat and looks for dead ones. */
export const DEFAULT_HEARTBEAT_MS = 1_000

/** Beats without a moving count after which another process is dead. */
export const DEAD_AFTER_BEATS = 3

/**
 * Parents remembered per member as having failed it. A hostile parent that is avoided only
 * while it was the last one could be handed the member back after one other failure; a few
 * keep it away, and the list stays small in every member's state.
 */
export const MAX_FAILED_PARENTS = 4

/**
 * Signals one end may send on one link. An honest set-up takes ~10-30 (an offer or answer
 * and its candidates); adding media later renegotiates, with as many again each time. A few
 * hundred leave room for that and still bound what one link can push through the server.
 */
export const DEFAULT_MAX_SIGNALS_PER_LINK = 500

/** Bytes of signals (as JSON) one end may send on one link: an SDP is 4-8 KiB, a candidate ~200 B. */
export const DEFAULT_MAX_SIGNAL_BYTES_PER_LINK = 262_144
