import type SimplePeer from 'simple-peer'
import type { PeerId, SessionId } from './protocol.js'
import { createPeer, type PeerConstructor, type PeerOptions } from './create-peer.js'

export type LinkDirection = 'upstream' | 'downstream'

/** The peer options of a link, and the class that makes its peer. */
export type LinkPeerOptions = PeerOptions & { Peer: PeerConstructor }

export interface PeerLinkHandlers {
  /** The signal to relay to the other end through the server. */
  signal: (signal: unknown) => void
  /** The connection is up; `peer` is handed to the application. */
  connect: (peer: SimplePeer.Instance) => void
  /** The link ended before or after connecting (close, error, timeout). Called at most once. */
  end: (reason: 'timeout' | 'closed' | 'error', err?: Error) => void
}

/**
 * One WebRTC link of the tree: the child is the initiator, the parent accepts.
 * It bounds the time to connect, reports its end exactly once, and replays to the
 * application what happened before the application could listen: a `'connect'`
 * on the next tick (as simple-signal did: code written for it calls `peer.on('connect')` in the handler) and
 * any `'stream'`/`'track'` that arrived before the connection was handed out.
 */
export class PeerLink {
  readonly session: SessionId
  readonly remote: PeerId
  readonly direction: LinkDirection
  readonly peer: SimplePeer.Instance
  connected = false
  #ended = false
  #timer: ReturnType<typeof setTimeout> | undefined
  #early: Array<['stream' | 'track', unknown[]]> = []
  #handlers: PeerLinkHandlers

  constructor (session: SessionId, remote: PeerId, direction: LinkDirection, opts: LinkPeerOptions, timeoutMs: number, handlers: PeerLinkHandlers) {
    this.session = session
    this.remote = remote
    this.direction = direction
    this.#handlers = handlers
    const { Peer, ...peerOpts } = opts
    this.peer = createPeer(peerOpts, direction === 'upstream', Peer)
    const peer = this.peer
    peer.on('signal', (signal: unknown) => { if (!this.#ended) handlers.signal(signal) })
    peer.on('stream', (...args: unknown[]) => { if (!this.connected) this.#early.push(['stream', args]) })
    peer.on('track', (...args: unknown[]) => { if (!this.connected) this.#early.push(['track', args]) })
    peer.once('connect', () => this.#onConnect())
    peer.on('close', () => this.#end('closed'))
    // simple-peer throws an 'error' that has no listener; keep one for the peer's whole life.
    peer.on('error', (err: Error) => this.#end('error', err))
    this.#timer = setTimeout(() => this.#end('timeout'), timeoutMs)
  }

  /** Feeds a signal relayed by the server; a signal for a finished link is dropped. */
  signal (signal: unknown): void {
    if (this.#ended || this.peer.destroyed) return
    try {
      this.peer.signal(signal as SimplePeer.SignalData)
    } catch (err) {
      this.#end('error', err as Error)
    }
  }

  /** Stops reporting anything for this link (its owner left), leaving the connection open until close(). */
  mute (): void {
    this.#ended = true
    this.#clearTimer()
  }

  /** Closes the link without reporting `end` (the caller already knows). */
  close (): void {
    this.#ended = true
    this.#clearTimer()
    if (!this.peer.destroyed) this.peer.destroy()
  }

  #onConnect (): void {
    if (this.#ended) return
    this.connected = true
    this.#clearTimer()
    this.#handlers.connect(this.peer)
    // Replay on the next tick, after the application's handler had its chance to listen.
    setTimeout(() => {
      if (this.#ended || this.peer.destroyed) return
      this.peer.emit('connect')
      for (const [event, args] of this.#early) this.peer.emit(event, ...args)
      this.#early = []
    }, 0)
  }

  #end (reason: 'timeout' | 'closed' | 'error', err?: Error): void {
    if (this.#ended) return
    this.#ended = true
    this.#clearTimer()
    if (!this.peer.destroyed) this.peer.destroy()
    this.#handlers.end(reason, err)
  }

  #clearTimer (): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
  }
}
