/**
 * The one thing the feed's network layer needs of a connection: a message duplex that keeps
 * message boundaries, says how much it holds unsent, and can be closed. simple-peer's data
 * channel is one implementation (SimplePeerLink), an in-memory pair another (MemoryLink,
 * for unit tests and the simulator). FeedLink frames the feed's messages on top of it.
 */

export interface MessageLinkHandlers {
  /** One whole message, as the other end sent it. */
  message: (bytes: Uint8Array) => void
  /** What was buffered fell to the link's low-water mark (only where `drains` is true). */
  drain: () => void
  /** The connection is gone (closed by either end, or failed). Called once. */
  close: () => void
}

export interface MessageLink {
  /**
   * Whether this link calls `drain`. Where it does not (@roamhq/wrtc has no
   * bufferedamountlow event), a link holding a queue looks at `bufferedAmount` on a timer.
   */
  readonly drains: boolean
  /** Bytes accepted by send() that have not left yet. */
  readonly bufferedAmount: number
  /** Whether a send now would go out: open, and not being torn down. */
  readonly writable: boolean
  /** Sets the handlers; called once, by the link's one owner, before any message flows. */
  bind: (handlers: MessageLinkHandlers) => void
  /** Writes one message. Throws when the connection closed under the caller. */
  send: (bytes: Uint8Array) => void
  /** Closes the connection; both ends see `close`. */
  close: () => void
}
