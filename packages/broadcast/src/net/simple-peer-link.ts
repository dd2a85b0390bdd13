/**
 * A simple-peer connection as a MessageLink: its data channel carries the messages. What a
 * feed link needs that simple-peer does not expose (how much the channel holds, whether it
 * may still be written to, its drain event, its messages as they arrive) is taken from
 * simple-peer's own fields here, and nowhere else.
 */
import type { LinkPeer } from 'peer-tree-client'
import type { MessageLink, MessageLinkHandlers } from './message-link.js'

/** Something events can be heard on (a WebRTC object). */
interface Listenable {
  addEventListener?: (type: string, listener: () => void) => void
}

/** The part of an RTCDataChannel this link reads (simple-peer keeps it as `_channel`). */
interface DataChannel extends Listenable {
  readonly bufferedAmount: number
  /** Absent where the stack has no bufferedamountlow event (@roamhq/wrtc). */
  bufferedAmountLowThreshold?: number
  readonly readyState?: string
  onbufferedamountlow: ((ev: unknown) => void) | null
  onmessage?: ((ev: { data: unknown }) => void) | null
  onclose?: ((ev: unknown) => void) | null
}

/** The connection, and the SCTP transport that carries every data channel. */
interface PeerConnection extends Listenable {
  readonly connectionState?: string
  readonly sctp?: SctpTransport | null
}
interface SctpTransport extends Listenable { readonly state?: string }

/** simple-peer's state that says whether its channel may still be written to. */
interface PeerState {
  destroyed?: boolean
  destroying?: boolean
  _channel?: DataChannel | null
  _pc?: PeerConnection | null
}

const encoder = new TextEncoder()

export class SimplePeerLink implements MessageLink {
  readonly peer: LinkPeer
  readonly drains: boolean
  #channel: DataChannel | undefined
  /**
   * False from the first sign that the channel or its transport is going. Read from the
   * native objects once, here, and kept by their events after that: each read of a native
   * state (the channel's readyState, the transport's state) is a call across the WebRTC
   * stack's threads that costs as much as a send in @roamhq/wrtc (~40-100 µs), measured.
   */
  #open: boolean

  constructor (peer: LinkPeer) {
    this.peer = peer
    const state = peer as unknown as PeerState
    const channel = state._channel ?? undefined
    const pc = state._pc ?? undefined
    const sctp = pc?.sctp ?? undefined
    this.#channel = channel
    this.drains = typeof channel?.bufferedAmountLowThreshold === 'number'
    this.#open = channel !== undefined && channel.readyState === 'open' && sctp?.state !== 'closed'
    const shut = (): void => { this.#open = false }
    peer.once('close', shut)
    peer.on('error', shut)
    if (channel !== undefined) {
      // simple-peer's own handlers (it destroys the peer on close) run first.
      const theirs = channel.onclose
      channel.onclose = (ev: unknown) => { shut(); theirs?.call(channel, ev) }
      // Where the stack fires it, the other end began to close the channel.
      channel.addEventListener?.('closing', shut)
    }
    pc?.addEventListener?.('connectionstatechange', () => {
      if (pc.connectionState === 'closed' || pc.connectionState === 'failed') shut()
    })
    // The channel can still say 'open' once its transport is gone (the other end closed the
    // connection): a send then is on a torn-down transport.
    sctp?.addEventListener?.('statechange', () => { if (sctp.state === 'closed') shut() })
  }

  get bufferedAmount (): number {
    return this.#channel?.bufferedAmount ?? 0
  }

  /**
   * A send on a channel that is closing or torn down can crash a native WebRTC stack (not
   * just throw): no send once anything said the channel or its transport is going, or once
   * anyone began to destroy the peer (simple-peer's own fields, set at once by destroy()).
   */
  get writable (): boolean {
    if (!this.#open) return false
    const peer = this.peer as unknown as PeerState
    return peer.destroyed !== true && peer.destroying !== true
  }

  bind (handlers: MessageLinkHandlers): void {
    const peer = this.peer
    let closed = false
    const close = (): void => {
      if (closed) return
      closed = true
      handlers.close()
    }
    peer.once('close', close)
    peer.on('error', close)
    const channel = this.#channel
    if (channel === undefined) return
    // Messages straight from the channel: simple-peer's 'data' wraps each one in a Buffer and
    // passes it through its stream, which a feed link does not use. Its destroy() unsets this.
    channel.onmessage = (ev: { data: unknown }) => {
      if ((peer as unknown as PeerState).destroyed === true) return
      const { data } = ev
      handlers.message(typeof data === 'string' ? encoder.encode(data) : data instanceof Uint8Array ? data : new Uint8Array(data as ArrayBuffer))
    }
    // simple-peer's own handler serves its stream interface; keep it, and tell the link too.
    const theirs = channel.onbufferedamountlow
    channel.onbufferedamountlow = (ev: unknown) => {
      theirs?.call(channel, ev)
      handlers.drain()
    }
  }

  send (bytes: Uint8Array): void {
    this.peer.send(bytes)
  }

  close (): void {
    this.peer.destroy()
  }
}
