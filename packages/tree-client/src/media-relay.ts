import type SimplePeer from 'simple-peer'
import { TypedEmitter } from './emitter.js'
import { ClientErrorCodes, PeerTreeError } from './errors.js'
import { MediaPlan, type PlannedAction } from './media-plan.js'
import type { PeerTreeClient } from './peer-tree-client.js'

export interface MediaRelayOptions {
  /**
   * This peer's own media (the source's camera or canvas), sent to every downstream peer.
   * With it, media from upstream is ignored. Without it, the relay plays and forwards what
   * its upstream peer sends.
   */
  stream?: MediaStream
  /** The MediaStream constructor, where there is no global one (Node with a WebRTC module). */
  MediaStream?: typeof MediaStream
}

/** Counts of what the relay did to downstream senders, for tests and dashboards. */
export interface MediaRelayStats {
  /** Senders added to downstream links (each one renegotiates its link). */
  added: number
  /** Tracks swapped in place on existing senders (`replaceTrack`) after a re-placement. */
  replaced: number
}

export interface MediaRelayEvents {
  /** Media started: `stream` holds its first track. Fires once. */
  media: (stream: MediaStream) => void
  /**
   * After a re-placement, a track of the new upstream took the old one's place in `stream`
   * and on `senders` downstream senders.
   */
  swap: (info: { kind: string, senders: number }) => void
  error: (err: PeerTreeError) => void
}

/** The sink id of the stable stream the application plays. */
const OWN_STREAM = 'stream'

/**
 * Plays the media a tree carries and forwards it: the source supplies a MediaStream, every
 * other peer puts what it receives into one stable MediaStream (`relay.stream`, set it as a
 * `<video>`'s `srcObject` once) and sends those tracks on to each downstream peer. When this
 * peer is re-placed under a new upstream, the new tracks replace the old ones in place on
 * every downstream sender and in `relay.stream`, so video below it goes on.
 *
 * Create it right after the PeerTreeClient, before `create()` or `connect()`: tracks that
 * an upstream link received before the relay existed are not seen.
 *
 * Tracks are added by the parent end of each link (the end that did not initiate it);
 * simple-peer asks the child to renegotiate.
 */
export class MediaRelay extends TypedEmitter<MediaRelayEvents> {
  /** What this peer plays: the source's own stream, or a stable stream the received tracks are swapped into. */
  readonly stream: MediaStream
  destroyed = false
  #plan = new MediaPlan<MediaStreamTrack>()
  #upstream: SimplePeer.Instance | null = null
  #links = new Map<string, SimplePeer.Instance>()
  #nextLink = 0
  #started = false
  #stats: MediaRelayStats = { added: 0, replaced: 0 }
  #peerListeners = new Map<SimplePeer.Instance, Array<[string, (...args: any[]) => void]>>()
  #unbind: Array<() => void> = []

  constructor (client: PeerTreeClient, opts: MediaRelayOptions = {}) {
    super()
    if (client == null || typeof client.on !== 'function' || typeof client.write !== 'function') {
      throw new TypeError('MediaRelay needs a PeerTreeClient')
    }
    const Stream = opts.MediaStream ?? (client.opts.wrtc as { MediaStream?: typeof MediaStream } | undefined)?.MediaStream ??
      globalThis.MediaStream
    if (opts.stream === undefined && typeof Stream !== 'function') {
      throw new TypeError('MediaRelay needs MediaStream: run it in a browser, or pass opts.MediaStream')
    }
    this.stream = opts.stream ?? new Stream()
    const onUpstream = (peer: SimplePeer.Instance): void => { if (!this.destroyed) this.#onUpstream(peer) }
    const onDisconnect = (): void => { this.#upstream = null }
    const onDownstream = (peer: SimplePeer.Instance): void => { if (!this.destroyed) this.#onDownstream(peer) }
    client.on('upstreamPeer', onUpstream).on('disconnect', onDisconnect).on('downstreamPeer', onDownstream)
    this.#unbind.push(() => { client.off('upstreamPeer', onUpstream).off('disconnect', onDisconnect).off('downstreamPeer', onDownstream) })
    this.#plan.addSink(OWN_STREAM)
    for (const peer of client.downstreamPeers) this.#onDownstream(peer)
    if (client.upstreamPeer !== null) this.#onUpstream(client.upstreamPeer)
    if (opts.stream !== undefined) {
      this.#carryOut(this.#plan.setOwn(opts.stream.getTracks()))
    }
  }

  get stats (): MediaRelayStats { return { ...this.#stats } }

  /** Stops relaying. Senders already added stay on their links; the stream is not stopped. Idempotent. */
  destroy (): void {
    if (this.destroyed) return
    this.destroyed = true
    for (const unbind of this.#unbind) unbind()
    this.#unbind = []
    for (const peer of [...this.#peerListeners.keys()]) this.#unlisten(peer)
    this.#links.clear()
    this.#upstream = null
    this.removeAllListeners()
  }

  #onUpstream (peer: SimplePeer.Instance): void {
    this.#upstream = peer
    this.#plan.upstreamChanged()
    this.#listen(peer, 'track', (track: MediaStreamTrack) => {
      // A late track from a link this peer already left is not its media any more.
      if (this.#upstream !== peer) return
      this.#carryOut(this.#plan.trackArrived(track))
    })
  }

  #onDownstream (peer: SimplePeer.Instance): void {
    const sink = `link-${++this.#nextLink}`
    this.#links.set(sink, peer)
    this.#listen(peer, 'close', () => {
      this.#links.delete(sink)
      this.#plan.removeSink(sink)
    })
    this.#carryOut(this.#plan.addSink(sink))
  }

  #carryOut (planned: Array<PlannedAction<MediaStreamTrack>>): void {
    const swapped = new Map<string, number>()
    for (const { sink, action } of planned) {
      if (sink === OWN_STREAM) {
        // Add before removing, so a <video> playing the stream never sees it without video.
        this.stream.addTrack(action.type === 'add' ? action.track : action.to)
        if (action.type === 'replace') {
          this.stream.removeTrack(action.from)
          swapped.set(action.to.kind, swapped.get(action.to.kind) ?? 0)
        }
        continue
      }
      const peer = this.#links.get(sink)
      if (peer === undefined) continue
      try {
        if (peer.destroyed) throw new Error('the link is closed')
        if (action.type === 'add') {
          peer.addTrack(action.track, this.stream)
          this.#stats.added++
        } else {
          peer.replaceTrack(action.from, action.to, this.stream)
          this.#stats.replaced++
          swapped.set(action.to.kind, (swapped.get(action.to.kind) ?? 0) + 1)
        }
      } catch (err) {
        // The link is going away (its 'close' is on its way): it carries nothing any more.
        this.#links.delete(sink)
        this.#plan.removeSink(sink)
        this.emit('error', new PeerTreeError(ClientErrorCodes.MEDIA_FAILED,
          `Could not ${action.type} a ${action.slot} track on a downstream link`, { cause: err }))
      }
    }
    if (!this.#started && this.stream.getTracks().length > 0) {
      this.#started = true
      // Not synchronously: a listener attached right after the constructor must hear it.
      queueMicrotask(() => { if (!this.destroyed) this.emit('media', this.stream) })
    }
    for (const [kind, senders] of swapped) this.emit('swap', { kind, senders })
  }

  /** Listens on a link's peer until the peer closes or the relay is destroyed. */
  #listen (peer: SimplePeer.Instance, event: 'track' | 'close', fn: (...args: any[]) => void): void {
    const safe = (...args: any[]): void => {
      if (this.destroyed) return
      if (event === 'close') this.#unlisten(peer)
      fn(...args)
    }
    peer.on(event, safe)
    let list = this.#peerListeners.get(peer)
    if (list === undefined) {
      this.#peerListeners.set(peer, (list = []))
      // Whichever event was asked for, forget the peer's listeners once it closes.
      if (event !== 'close') peer.once('close', () => this.#unlisten(peer))
    }
    list.push([event, safe])
  }

  #unlisten (peer: SimplePeer.Instance): void {
    for (const [event, fn] of this.#peerListeners.get(peer) ?? []) peer.removeListener(event, fn)
    this.#peerListeners.delete(peer)
  }
}

/** `new MediaRelay(client, opts)`, for those who prefer a function. */
export function relayMedia (client: PeerTreeClient, opts: MediaRelayOptions = {}): MediaRelay {
  return new MediaRelay(client, opts)
}
