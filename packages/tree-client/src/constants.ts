/** How long a peer connection may take to come up before the link is given up (10 s, the original peer-tree's documented default). */
export const DEFAULT_TIMEOUT_MS = 10_000
/**
 * How soon (1 s, socket.io's own first reconnection delay) a socket that a draining server
 * refused is connected again: well inside the server's grace period, and not a tight loop
 * against a process that refuses every socket until it exits.
 */
export const SOCKET_RETRY_MS = 1_000
