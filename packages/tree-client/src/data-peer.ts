/**
 * A data-channel-only WebRTC peer over the platform's own RTCPeerConnection, about 2 KB where
 * simple-peer's browser build is 28 KB gzipped (it carries Node's streams, Buffer and events).
 * It speaks simple-peer 9's signals (`{ type: 'offer' | 'answer', sdp }`,
 * `{ type: 'candidate', candidate }`; the initiator makes the one data channel), so a DataPeer
 * and a simple-peer connect to each other, and it offers the part of simple-peer's surface a
 * tree link uses: the events signal/connect/data/close/error, `signal`, `send`, `write`,
 * `destroy`, `connected`, `destroyed`, and `_pc` / `_channel` for back-pressure. No streams,
 * no media, no `pipe`: for that, use simple-peer (peer-tree-client's default).
 */
import { TypedEmitter } from './emitter.js'

// Optional fields take `undefined` too: the options a client hands to simple-peer fit here.
export interface DataPeerOptions {
  initiator?: boolean | undefined
  /** RTCPeerConnection configuration; simple-peer's default STUN servers when absent. */
  config?: RTCConfiguration | undefined
  channelConfig?: RTCDataChannelInit | undefined
  channelName?: string | undefined
  /** A WebRTC implementation where there is none built in (Node: `require('@roamhq/wrtc')`). */
  wrtc?: { RTCPeerConnection: unknown } | undefined
  /** Not supported (a TypeError): a DataPeer carries data only. */
  stream?: unknown
  streams?: unknown
}

/** An error of the connection, with simple-peer's `code` strings. */
export interface DataPeerError extends Error { code: string }

export interface DataPeerEvents {
  /** A signal to hand to the other end's `signal()`. */
  signal: (data: DataPeerSignal) => void
  connect: () => void
  data: (data: Uint8Array) => void
  close: () => void
  error: (err: DataPeerError) => void
}

export type DataPeerSignal =
  | { type: 'offer' | 'answer', sdp: string }
  | { type: 'candidate', candidate: RTCIceCandidateInit }

/** simple-peer's defaults, so that swapping one for the other changes nothing on the wire. */
const DEFAULT_CONFIG: RTCConfiguration = {
  iceServers: [{ urls: ['stun:stun.l.google.com:19302', 'stun:global.stun.twilio.com:3478'] }]
}
/** The channel reports a drain below this many unsent bytes (simple-peer's MAX_BUFFERED_AMOUNT). */
const LOW_WATER_BYTES = 64 * 1024

function peerError (message: string, code: string): DataPeerError {
  return Object.assign(new Error(message), { code })
}

function randomHex (bytes: number): string {
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('')
}

const encoder = new TextEncoder()

export class DataPeer extends TypedEmitter<DataPeerEvents> {
  readonly initiator: boolean
  destroyed = false
  destroying = false
  /** The connection (simple-peer's name for it; a link reads its SCTP transport). */
  readonly _pc: RTCPeerConnection
  /** The data channel once there is one (simple-peer's name; a link reads `bufferedAmount`). */
  _channel: RTCDataChannel | null = null
  #open = false
  /** Candidates that came before the remote description. */
  #pending: RTCIceCandidateInit[] = []
  #remoteSet = false

  constructor (opts: DataPeerOptions = {}) {
    super()
    if (opts.stream !== undefined || opts.streams !== undefined) throw new TypeError('DataPeer carries data only: use simple-peer for media')
    const PeerConnection = (opts.wrtc?.RTCPeerConnection ?? globalThis.RTCPeerConnection) as typeof RTCPeerConnection
    if (typeof PeerConnection !== 'function') throw new TypeError('No WebRTC here: pass opts.wrtc')
    this.initiator = opts.initiator === true
    const pc = new PeerConnection({ ...DEFAULT_CONFIG, ...opts.config })
    this._pc = pc
    pc.onicecandidate = (ev) => {
      const c = ev.candidate
      if (c !== null && !this.destroyed) {
        this.emit('signal', { type: 'candidate', candidate: { candidate: c.candidate, sdpMLineIndex: c.sdpMLineIndex, sdpMid: c.sdpMid } })
      }
    }
    pc.oniceconnectionstatechange = () => {
      const state = pc.iceConnectionState
      if (state === 'failed') this.destroy(peerError('Ice connection failed.', 'ERR_ICE_CONNECTION_FAILURE'))
      if (state === 'closed') this.destroy(peerError('Ice connection closed.', 'ERR_ICE_CONNECTION_CLOSED'))
    }
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') this.destroy(peerError('Connection failed.', 'ERR_CONNECTION_FAILURE'))
    }
    if (this.initiator) {
      this.#setupChannel(pc.createDataChannel(opts.channelName ?? randomHex(20), opts.channelConfig ?? {}))
      // After the constructor returns, so the caller's 'signal' listener is there for the offer.
      setTimeout(() => { this.#describe('offer') }, 0)
    } else {
      pc.ondatachannel = (ev) => { this.#setupChannel(ev.channel) }
    }
  }

  /** Whether the data channel is open now. */
  get connected (): boolean {
    return this.#open && this._channel?.readyState === 'open'
  }

  /** Hands over a signal from the other end (an object, or its JSON). A malformed one ends the connection. */
  signal (data: unknown): void {
    if (this.destroying) return
    if (this.destroyed) throw peerError('cannot signal after peer is destroyed', 'ERR_DESTROYED')
    let msg = data as Record<string, unknown> | null
    if (typeof data === 'string') {
      try { msg = JSON.parse(data) } catch { msg = null }
    }
    if (msg === null || typeof msg !== 'object') { this.#badSignal(); return }
    // Renegotiation and transceivers are for media, which a DataPeer does not carry.
    if (msg['renegotiate'] === true || msg['transceiverRequest'] !== undefined) return
    const candidate = msg['candidate']
    if (candidate != null && typeof candidate === 'object') {
      if (this.#remoteSet) this.#addCandidate(candidate as RTCIceCandidateInit)
      else this.#pending.push(candidate as RTCIceCandidateInit)
      return
    }
    const type = msg['type']
    const sdp = msg['sdp']
    if ((type !== 'offer' && type !== 'answer') || typeof sdp !== 'string') { this.#badSignal(); return }
    this._pc.setRemoteDescription({ type, sdp }).then(() => {
      if (this.destroyed) return
      this.#remoteSet = true
      for (const c of this.#pending) this.#addCandidate(c)
      this.#pending = []
      if (type === 'offer') this.#describe('answer')
    }, (err: unknown) => { this.destroy(peerError(`setRemoteDescription failed: ${String(err)}`, 'ERR_SET_REMOTE_DESCRIPTION')) })
  }

  /** Sends on the data channel; throws, as simple-peer does, when it is not open. */
  send (data: string | Uint8Array | ArrayBuffer): void {
    const channel = this._channel
    if (channel === null) throw peerError('cannot send before the data channel exists', 'ERR_DATA_CHANNEL')
    channel.send(data as ArrayBuffer)
  }

  /** simple-peer's stream write, for the tree client's `write()`: sends and says the channel took it. */
  write (chunk: string | Uint8Array): boolean {
    this.send(chunk)
    return true
  }

  /**
   * Closes the connection: `'error'` (when `err` is given) then `'close'` fire in a microtask,
   * as simple-peer does, so that events already under way are still delivered. Idempotent.
   */
  destroy (err?: Error): void {
    if (this.destroyed || this.destroying) return
    this.destroying = true
    queueMicrotask(() => {
      this.destroyed = true
      this.destroying = false
      this.#open = false
      const channel = this._channel
      if (channel !== null) {
        channel.onopen = channel.onclose = channel.onerror = channel.onmessage = null
        try { channel.close() } catch {}
      }
      const pc = this._pc
      pc.onicecandidate = pc.oniceconnectionstatechange = pc.onconnectionstatechange = pc.ondatachannel = null
      try { pc.close() } catch {}
      if (err !== undefined) this.emit('error', err as DataPeerError)
      this.emit('close')
    })
  }

  #setupChannel (channel: RTCDataChannel): void {
    if (this.destroyed) return
    this._channel = channel
    channel.binaryType = 'arraybuffer'
    // A stack without the event (@roamhq/wrtc) has no threshold either: a writer that waits for
    // the drain reads bufferedAmount itself there (a feed link does).
    if (typeof channel.bufferedAmountLowThreshold === 'number') channel.bufferedAmountLowThreshold = LOW_WATER_BYTES
    channel.onopen = () => { this.#onOpen() }
    channel.onclose = () => { this.destroy() }
    channel.onerror = (ev) => {
      const message = (ev as { error?: { message?: string } }).error?.message ?? 'data channel error'
      this.destroy(peerError(message, 'ERR_DATA_CHANNEL'))
    }
    channel.onmessage = (ev: MessageEvent) => {
      if (this.destroyed) return
      const data: unknown = ev.data
      this.emit('data', typeof data === 'string' ? encoder.encode(data) : new Uint8Array(data as ArrayBuffer))
    }
    if (channel.readyState === 'open') this.#onOpen()
  }

  #onOpen (): void {
    if (this.#open || this.destroyed) return
    this.#open = true
    this.emit('connect')
  }

  #describe (type: 'offer' | 'answer'): void {
    if (this.destroyed) return
    const pc = this._pc
    const made = type === 'offer' ? pc.createOffer() : pc.createAnswer()
    made.then(async (desc) => {
      if (this.destroyed) return
      await pc.setLocalDescription(desc)
      if (this.destroyed) return
      const local = pc.localDescription ?? desc
      this.emit('signal', { type, sdp: local.sdp ?? '' })
    }).catch((err: unknown) => {
      this.destroy(peerError(`${type} failed: ${String(err)}`, type === 'offer' ? 'ERR_CREATE_OFFER' : 'ERR_CREATE_ANSWER'))
    })
  }

  #addCandidate (candidate: RTCIceCandidateInit): void {
    // A candidate that cannot be used (an mDNS name this host cannot resolve, say) is dropped:
    // the others may still connect, and ICE reports failure if none does.
    this._pc.addIceCandidate(candidate).catch(() => {})
  }

  #badSignal (): void {
    this.destroy(peerError('signal() called with invalid signal data', 'ERR_SIGNALING'))
  }
}
