/**
 * The links of one feed node, over all its trees, whatever carries them: each connection
 * handed in is wrapped as a FeedLink, and what arrives on any of them is one event stream.
 * Forest adds the signalling (PeerTreeClients over a socket) that makes the links; a
 * simulator or a unit test attaches in-memory links itself.
 */
import { TypedEmitter, type EventMap } from 'peer-tree-client'
import type { Frame, ReassemblerOptions } from '../reassembler.js'
import type { WireReason } from '../errors.js'
import { systemClock, type Clock } from './clock.js'
import { FeedLink, type FeedLinkInfo } from './feed-link.js'
import type { MessageLink } from './message-link.js'

export interface LinkForestEvents {
  /** A link came up (upstream or downstream, in some tree). */
  link: (link: FeedLink) => void
  /** A link went down. */
  unlink: (link: FeedLink) => void
  frame: (link: FeedLink, frame: Frame) => void
  malformed: (link: FeedLink, reason: WireReason) => void
}

export interface LinkForestOptions {
  maxMessageBytes?: number
  maxQueuedBytes?: number
  /** Limits on rejoining fragments, for every link (FeedLink's `reassembly`). */
  reassembly?: ReassemblerOptions
  /** Time, timers and chance for this forest, its links and the node over it. @default systemClock */
  clock?: Clock
}

/** A LinkForest with any events added (Forest's), as the feed nodes over it take it. */

export type AnyLinkForest = LinkForest<any>

export class LinkForest<Events extends EventMap<Events> & LinkForestEvents = LinkForestEvents> extends TypedEmitter<Events> {
  readonly links = new Set<FeedLink>()
  readonly clock: Clock
  closed = false
  readonly #linkOptions: LinkForestOptions

  constructor (opts: LinkForestOptions = {}) {
    super()
    this.clock = opts.clock ?? systemClock
    this.#linkOptions = opts
  }

  /** Upstream links, one per tree at most. */
  upstreams (): FeedLink[] {
    return [...this.links].filter((l) => l.direction === 'up')
  }

  downstreams (): FeedLink[] {
    return [...this.links].filter((l) => l.direction === 'down')
  }

  /** Wraps a connection to `info.remote` in `info.tree` as a link of this forest. */
  attach (transport: MessageLink, info: FeedLinkInfo): FeedLink {
    const o = this.#linkOptions
    const events = this as unknown as TypedEmitter<LinkForestEvents>
    const link = new FeedLink(transport, info, {
      frame: (l, frame) => events.emit('frame', l, frame),
      malformed: (l, reason) => events.emit('malformed', l, reason),
      close: (l) => { if (this.links.delete(l)) events.emit('unlink', l) }
    }, {
      clock: this.clock,
      ...(o.maxMessageBytes !== undefined && { maxMessageBytes: o.maxMessageBytes }),
      ...(o.maxQueuedBytes !== undefined && { maxQueuedBytes: o.maxQueuedBytes }),
      ...(o.reassembly !== undefined && { reassembly: o.reassembly })
    })
    if (this.closed) {
      link.close()
      return link
    }
    this.links.add(link)
    events.emit('link', link)
    return link
  }

  /**
   * Stops every link without closing its connection (whoever made the connections closes
   * them: see Forest), and drops every listener.
   */
  close (): void {
    if (this.closed) return
    this.closed = true
    for (const l of [...this.links]) l.detach()
    this.removeAllListeners()
  }
}
