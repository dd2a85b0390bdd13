/** How long a peer connection may take to come up before the link is given up (the README's figure). */
export const DEFAULT_TIMEOUT_MS = 10_000
