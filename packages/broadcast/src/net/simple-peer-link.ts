/**
 * A simple-peer connection as a MessageLink: its data channel carries the messages. What a
 * feed link needs that simple-peer does not expose (how much the channel holds, whether it
 * may still be written to, its drain event) is read from simple-peer's own fields here, and
 * nowhere else.
 */
import type { LinkPeer } from 'peer-tree-client'
import type { MessageLink, MessageLinkHandlers } from './message-link.js'

/** The part of an RTCDataChannel this link reads (simple-peer keeps it as `_channel`). */
interface DataChannel {
  readonly bufferedAmount: number
  /** Absent where the stack has no bufferedamountlow event (@roamhq/wrtc). */
  bufferedAmountLowThreshold?: number
  readonly readyState?: string
  onbufferedamountlow: ((ev: unknown) => void) | null
}

/** simple-peer's state that says whether its channel may still be written to. */
interface PeerState {
  destroyed?: boolean
  destroying?: boolean
  _channel?: DataChannel | null
  _pc?: { readonly sctp?: SctpTransport | null } | null
}

/** The connection's SCTP transport, which carries every data channel. */
interface SctpTransport { readonly state?: string }

export class SimplePeerLink implements MessageLink {
  readonly peer: LinkPeer
  readonly drains: boolean
  #channel: DataChannel | undefined
  /** Read once: in Node's WebRTC the `sctp` getter costs ~40 µs, four times a state read. */
  #sctp: SctpTransport | undefined

  constructor (peer: LinkPeer) {
    this.peer = peer
    const state = peer as unknown as PeerState
    this.#channel = state._channel ?? undefined
    this.#sctp = state._pc?.sctp ?? undefined
    this.drains = typeof this.#channel?.bufferedAmountLowThreshold === 'number'
  }

  get bufferedAmount (): number {
    return this.#channel?.bufferedAmount ?? 0
  }

  /**
   * A send on a channel that is closing or torn down can crash a native WebRTC stack (not
   * just throw), and the channel may close from the other side before simple-peer reports
   * it: so every send asks first.
   */
  get writable (): boolean {
    const peer = this.peer as unknown as PeerState
    if (peer.destroyed === true || peer.destroying === true) return false
    const channel = peer._channel
    if (channel === undefined || channel === null || channel.readyState !== 'open') return false
    // The channel can still say 'open' once its transport is gone (the other end closed the
    // connection); a send then is on a torn-down transport.
    return this.#sctp?.state !== 'closed'
  }

  bind (handlers: MessageLinkHandlers): void {
    const peer = this.peer
    let closed = false
    const close = (): void => {
      if (closed) return
      closed = true
      handlers.close()
    }
    peer.on('data', handlers.message)
    peer.once('close', close)
    peer.on('error', close)
    const channel = this.#channel
    if (channel !== undefined) {
      // simple-peer's own handler serves its stream interface, which a feed link does not
      // use; keep it, and tell the link too.
      const theirs = channel.onbufferedamountlow
      channel.onbufferedamountlow = (ev: unknown) => {
        theirs?.call(channel, ev)
        handlers.drain()
      }
    }
  }

  send (bytes: Uint8Array): void {
    this.peer.send(bytes)
  }

  close (): void {
    this.peer.destroy()
  }
}
