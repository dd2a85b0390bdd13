/** How long a peer connection may take to come up before the link is given up (10 s, the original peer-tree's documented default). */
export const DEFAULT_TIMEOUT_MS = 10_000
