/**
 * The wire between peer-tree clients and peer-tree-server, typed once.
 *
 * Its own package, a dependency of both ends, so neither reaches into the other's source
 * and nothing of the server is bundled into the client. Event names follow `namespace:verb`. Every message
 * that concerns one tree carries its `treeID`, because one socket may hold
 * several memberships at once (a broadcast feed joins m trees over one socket).
 * See docs/protocol.md for the sequence diagrams and examples.
 */

/** A tree's ID: a random string for plain trees, `<feedKey>.<index>` for owned trees. */
export type TreeId = string
/** A member's ID inside one tree, minted by the server; not the socket.id. */
export type PeerId = string
/** The ID of one parent–child link, minted by the server; signals are routed by it. */
export type SessionId = string
/** A client-chosen correlation ID for `tree:create` (the tree ID is not known yet). */
export type CreateRef = string

/**
 * Placement hint for a member. `relay` members take children (up to k) and the shallow
 * slots (a relay may take a leaf's slot; the leaf moves down); `leaf` members are given
 * children only when no relay in the tree has a free slot.
 * The broadcast layer marks a subscriber `relay` in one tree and `leaf` in the others,
 * so that the trees' interior nodes are disjoint.
 */
export type PeerRole = 'relay' | 'leaf'

/** Proof that the creator holds the Ed25519 secret key that owns the tree. */
export interface OwnerProof {
  /** Ed25519 public key, 32 bytes, base64url without padding (43 chars). */
  key: string
  /** Which of the owner's trees this is (0-based). The tree ID becomes `<key>.<index>`. */
  index: number
  /** The nonce from the server's last `tree:challenge` to this socket. */
  nonce: string
  /** Ed25519 signature, base64url, over `ownerSignable(server, nonce, key, index)`. */
  signature: string
}

export interface CreateRequest {
  ref: CreateRef
  /** k for this tree (defaults to the server's); the server caps it at its own maximum. */
  k?: number
  /** k1 for this tree (defaults to the server's). */
  k1?: number
  owner?: OwnerProof
}

export interface JoinRequest {
  treeID: TreeId
  role?: PeerRole
}

export interface ReconnectRequest {
  treeID: TreeId
  /**
   * The upstream link this client gives up on. If the server has already moved the
   * client elsewhere (the session is no longer current), the request is ignored.
   * `null` asks for a new upstream unconditionally (`reconnectUpstream()`).
   */
  session: SessionId | null
  /** True when the link failed (timeout, ICE failure): the old parent is avoided. */
  failed?: boolean
}

export interface LeaveRequest {
  treeID: TreeId
}

export interface LookupRequest {
  /** An owner key (base64url, 43 chars). */
  key: string
}

export interface LookupMessage {
  key: string
  /** How many owned trees `<key>.0`, `<key>.1`, ... exist now, counted from 0 (0: none yet). */
  trees: number
  /**
   * Relay-role members in each of those trees that hang from the source over working links
   * (every link on the way confirmed by both its ends), not every member that says it relays.
   */
  relays: number[]
}

export interface SignalMessage {
  treeID: TreeId
  session: SessionId
  /** A simple-peer signal object (SDP or ICE candidate); relayed, never interpreted. */
  signal: unknown
}

export interface LinkReport {
  treeID: TreeId
  session: SessionId
}

export interface ResumeRequest {
  treeID: TreeId
  /** The secret token the server sent in this membership's `tree:discover`. */
  token: string
}

/**
 * Why a `tree:discover` was sent. `moved`: the server moved this member (with its subtree)
 * although its upstream did not fail, because a relay took its slot or a shallower one freed;
 * a client handles it like `parent-left` (drop the upstream, connect to the new parent).
 */
export type DiscoverReason = 'create' | 'join' | 'reconnect' | 'parent-left' | 'resume' | 'moved'

export interface DiscoverMessage {
  treeID: TreeId
  /** Echo of `CreateRequest.ref` for the creator. */
  ref?: CreateRef
  /** This member's ID in the tree. */
  peerID: PeerId
  /** The upstream to connect to; `null` for the source. */
  parent: PeerId | null
  /** The link to the parent; `null` for the source. */
  session: SessionId | null
  /** Secret used to resume this membership after a signalling-socket reconnect. */
  token: string
  reason: DiscoverReason
}

export interface ChildMessage {
  treeID: TreeId
  session: SessionId
  child: PeerId
}

export interface UnlinkMessage {
  treeID: TreeId
  session: SessionId
}

export interface EndedMessage {
  treeID: TreeId
  reason: 'source-left'
}

/**
 * The server process is shutting down: right after this, it closes the socket's connection.
 * The client's socket.io reconnects by itself (through the same address, to another process
 * behind a load balancer) and resumes each membership with `tree:resume`; nothing else is
 * needed, the notice only says why the connection is about to close.
 */
export interface DrainingMessage {
  reason: 'shutdown'
}

/**
 * The message of the `connect_error` a draining process refuses a new socket with (a socket
 * that reached it through a balancer that had not yet seen it go). socket.io does not
 * reconnect a socket its server refused: the client connects it again itself, and a balancer
 * sends it to a process that takes it.
 */
export const DRAINING_REFUSAL = 'draining'

export interface ChallengeMessage {
  nonce: string
}

export interface ErrorMessage {
  code: ServerErrorCode
  message: string
  /** The client event that caused the error, when known. */
  event?: string
  treeID?: TreeId
  ref?: CreateRef
}

export const ServerErrorCodes = {
  /** The payload did not match the event's schema. */
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  /** `tree:join` / `tree:resume` named a tree the server does not hold. Message: 'Tree does not exist.' */
  TREE_NOT_FOUND: 'TREE_NOT_FOUND',
  /** The socket is already a member of that tree, or reused a create ref. Message: 'Already connected to tree.' */
  ALREADY_IN_TREE: 'ALREADY_IN_TREE',
  /** The request needs a membership the socket does not have. */
  NOT_IN_TREE: 'NOT_IN_TREE',
  /** A signal or link report for a session that is not one of this socket's links. */
  UNKNOWN_SESSION: 'UNKNOWN_SESSION',
  /** The tree holds `maxPeersPerTree` members. */
  TREE_FULL: 'TREE_FULL',
  /** The server holds `maxTrees` trees, or the socket `maxTreesPerSocket` memberships. */
  TOO_MANY_TREES: 'TOO_MANY_TREES',
  /** The socket sent `tree:*` events faster than `requestsPerSecond`, or `peer:*` events faster than `signalsPerSecond`. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** Owner proof missing, stale nonce, or bad signature. */
  NOT_OWNER: 'NOT_OWNER',
  /** An owned tree with that key and index already has a live source. */
  TREE_EXISTS: 'TREE_EXISTS',
  /** A resume token did not match (or the grace period is over). */
  BAD_TOKEN: 'BAD_TOKEN',
  /** The tree store failed; the request was refused without changing state. */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** A link's signals from one end went over `maxSignalsPerLink` or `maxSignalBytesPerLink`: dropped, and the link given up. */
  SIGNAL_LIMIT: 'SIGNAL_LIMIT'
} as const
export type ServerErrorCode = (typeof ServerErrorCodes)[keyof typeof ServerErrorCodes]

export interface ClientToServerEvents {
  'tree:challenge': () => void
  'tree:create': (req: CreateRequest) => void
  'tree:join': (req: JoinRequest) => void
  'tree:reconnect': (req: ReconnectRequest) => void
  'tree:leave': (req: LeaveRequest) => void
  'tree:resume': (req: ResumeRequest) => void
  /** How many trees an owner key has (a feed subscriber needs only the key). */
  'tree:lookup': (req: LookupRequest) => void
  'peer:signal': (msg: SignalMessage) => void
  /** Sent by each end once its link is up; the link works when both ends have sent it. */
  'peer:connected': (msg: LinkReport) => void
  /** Sent by the parent end when a link to a child failed (never connected, or ended). */
  'peer:failed': (msg: LinkReport) => void
}

export interface ServerToClientEvents {
  'tree:challenge': (msg: ChallengeMessage) => void
  'tree:discover': (msg: DiscoverMessage) => void
  'tree:ended': (msg: EndedMessage) => void
  'tree:error': (msg: ErrorMessage) => void
  'tree:lookup': (msg: LookupMessage) => void
  /** To a parent: a child was placed under you; expect its offer on `session`. */
  'peer:child': (msg: ChildMessage) => void
  /** To a parent: the link `session` no longer exists in the tree; close it. */
  'peer:unlink': (msg: UnlinkMessage) => void
  'peer:signal': (msg: SignalMessage) => void
  /** This process is going away; the connection closes next (see DrainingMessage). */
  'server:draining': (msg: DrainingMessage) => void
}

export interface InterServerEvents {}

export interface SocketData {
  /** Set by the server; nothing here comes from the client. */
  peerTree?: unknown
}

/** Domain tag of the owner proof's signed bytes. v1 did not name the server, so a proof could be relayed to another one. */
export const OWNER_PROOF_TAG = 'peer-tree/create/v2'

/**
 * The exact bytes an owner signs to create tree `index` of key `key` on server `server`:
 * UTF-8 of `peer-tree/create/v2\n<server>\n<nonce>\n<key>\n<index>`. Built here only.
 * `server` is the server's identity as the client reached it (`serverIdentityOf` its URL),
 * so a server that hands the owner another server's nonce gets a proof that one refuses.
 */
export function ownerSignable (server: string, nonce: string, key: string, index: number): Uint8Array {
  return new TextEncoder().encode(`${OWNER_PROOF_TAG}\n${server}\n${nonce}\n${key}\n${index}`)
}

/**
 * A server's identity in owner proofs: the host of the URL a client connects to, with its
 * port unless it is the scheme's default, in lower case (`example.org`, `127.0.0.1:3000`).
 * The same string as an HTTP `Host` header for that URL. '' for what is not a URL.
 */
export function serverIdentityOf (url: string): string {
  try {
    return new URL(url).host.toLowerCase()
  } catch {
    return ''
  }
}

/** The tree ID of tree `index` owned by `key`. */
export function ownedTreeId (key: string, index: number): TreeId {
  return `${key}.${index}`
}
