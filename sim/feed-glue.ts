/**
 * The one place the simulator meets the feed layer: a LinkForest on the peer's virtual
 * clock, and the real Source or Subscriber on it. Every connected simulated link is attached
 * to the forest, exactly as the socket-driven Forest attaches its simple-peer links.
 * A silent relay has no feed layer at all: it takes its links and never sends a byte.
 */
import type { Clock } from '../packages/broadcast/src/net/clock.js'
import type { Ed25519, KeyPair } from '../packages/broadcast/src/crypto/ed25519.js'
import { MemoryBlockStore } from '../packages/broadcast/src/net/block-store.js'
import { LinkForest } from '../packages/broadcast/src/net/link-forest.js'
import type { MessageLink } from '../packages/broadcast/src/net/message-link.js'
import { Source, type SourceOptions } from '../packages/broadcast/src/net/source.js'
import { Subscriber } from '../packages/broadcast/src/net/subscriber.js'
import type { SubscriberOptions, SubscriberStats } from '../packages/broadcast/src/net/subscriber-types.js'

export interface LinkInfo {
  tree: number
  direction: 'up' | 'down'
  remote: string
}

/** What a simulated peer's feed layer does with its links. */
export interface FeedPeer {
  attach: (transport: MessageLink, info: LinkInfo) => void
  close: () => void
  /** Bytes this peer sent over its links, closed ones included. */
  bytesSent: () => number
}

export interface SubscriberPeer extends FeedPeer {
  readonly subscriber: Subscriber<LinkForest>
  stats: () => SubscriberStats
}

export interface SourcePeer extends FeedPeer {
  readonly source: Source<LinkForest>
}

function forestOn (clock: Clock): LinkForest {
  return new LinkForest({ clock })
}

export function subscriberPeer (clock: Clock, ed25519: Ed25519, feedKey: Uint8Array, opts: SubscriberOptions, onEntry: (seq: number) => void): SubscriberPeer {
  const forest = forestOn(clock)
  const subscriber = new Subscriber(forest, feedKey, ed25519, opts)
  subscriber.on('entry', (e) => onEntry(e.seq))
  subscriber.on('error', () => {})
  return {
    subscriber,
    attach: (transport, info) => { forest.attach(transport, info) },
    close: () => subscriber.close(),
    bytesSent: () => subscriber.stats().bytesSent,
    stats: () => subscriber.stats()
  }
}

export async function sourcePeer (clock: Clock, ed25519: Ed25519, keyPair: KeyPair, opts: SourceOptions): Promise<SourcePeer> {
  const forest = forestOn(clock)
  const source = await Source.open(forest, keyPair, ed25519, new MemoryBlockStore(), opts)
  source.on('error', () => {})
  return {
    source,
    attach: (transport, info) => { forest.attach(transport, info) },
    close: () => source.close(),
    bytesSent: () => source.stats().bytesSent
  }
}

export interface SilentPeer extends FeedPeer {
  /** Child links it took (and starved). */
  readonly children: number
}

/** A relay that takes children and forwards nothing (not even a HAVE). */
export function silentPeer (): SilentPeer {
  const links: MessageLink[] = []
  let children = 0
  return {
    get children () { return children },
    attach: (transport, info) => {
      links.push(transport)
      if (info.direction === 'down') children++
      transport.bind({ message: () => {}, drain: () => {}, close: () => {} })
    },
    close: () => { for (const l of links) if (l.writable) l.close() },
    bytesSent: () => 0
  }
}
