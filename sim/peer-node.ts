/**
 * One simulated peer: its signalling socket, its m tree memberships and its feed layer. A
 * subscriber joins as Feed.join does (a lookup for the feed's trees and their relay counts,
 * a relay in the tree with fewest relays, a leaf in the others, each join retried like
 * Forest.joinTree); the source creates the trees as Feed.create does; a silent relay joins
 * every tree as a relay and forwards nothing. Departures are a leave (the server and the
 * neighbours hear at once, links linger as a closing Forest's do) or a crash (nothing is
 * said; the server drops the socket and the links fail after `crashDetectMs`).
 */
import { chooseHomeTree } from '../packages/broadcast/src/net/lookup.js'
import { LEAVE_LINGER_MS } from '../packages/broadcast/src/net/net-constants.js'
import type { MessageLink } from '../packages/broadcast/src/net/message-link.js'
import type { PeerRole, ServerToClientEvents } from '../packages/tree-server/src/protocol.js'
import type { Clock } from '../packages/broadcast/src/net/clock.js'
import type { EventLoop } from './event-loop.js'
import type { FeedPeer } from './feed-glue.js'
import type { Endpoint, NetworkModel } from './network-model.js'
import type { PeerConnections } from './peer-connections.js'
import type { Rng } from './random.js'
import type { SignalClient, SimServer } from './server-driver.js'
import { TreeMember, type MemberHost } from './tree-member.js'
import { virtualClock } from './virtual-clock.js'

export type NodeKind = 'source' | 'subscriber' | 'silent'

/** Refusals of a join that pass (as Forest.joinTree): the tree is not up yet, or busy. */
const RETRY_JOIN = new Set(['TREE_NOT_FOUND', 'RATE_LIMITED', 'STORE_UNAVAILABLE', 'TREE_FULL'])

export interface NodeWorld {
  readonly loop: EventLoop
  readonly net: NetworkModel
  readonly server: SimServer
  readonly links: PeerConnections
  readonly key: string
  readonly k: number
  readonly k1: number
  /** PeerTreeClient's connection timeout (ms). */
  readonly timeoutMs: number
  /** Forest's first delay before joining a tree again (ms). */
  readonly retryMs: number
}

/** What the simulation hears from a peer. */
export interface NodeEvents {
  /** The peer's feed layer, made once the lookup answered (`trees` known). */
  makeFeed: (node: PeerNode, trees: number) => FeedPeer
  linkUp: (node: PeerNode, tree: number, direction: 'up' | 'down') => void
  upstreamLost: (node: PeerNode, tree: number) => void
}

export class PeerNode implements SignalClient, MemberHost {
  readonly name: string
  readonly kind: NodeKind
  readonly endpoint: Endpoint
  readonly members: TreeMember[] = []
  feed: FeedPeer | undefined
  /** Virtual time of arrival and departure. */
  readonly joinedAt: number
  leftAt: number | undefined
  /** The tree it relays in (subscribers), or -1. */
  home = -1
  /** Its feed layer's clock: virtual time, and chance from its own stream. */
  readonly clock: Clock
  readonly #world: NodeWorld
  readonly #events: NodeEvents
  readonly #rng: Rng
  #gone = false

  constructor (name: string, kind: NodeKind, endpoint: Endpoint, world: NodeWorld, events: NodeEvents, rng: Rng) {
    this.name = name
    this.kind = kind
    this.endpoint = endpoint
    this.#world = world
    this.#events = events
    this.#rng = rng
    this.clock = virtualClock(world.loop, rng)
    this.joinedAt = world.loop.now
    world.server.connect(this)
  }

  get gone (): boolean { return this.#gone }

  /** The source: creates trees `<key>.0` … `<key>.<trees-1>` and opens its feed layer. */
  createTrees (trees: number, feed: FeedPeer): void {
    this.feed = feed
    for (let i = 0; i < trees; i++) {
      const member = this.#member(i)
      const ref = `${this.name}-create-${i}`
      this.#world.server.expectCreate(this, ref, `${this.#world.key}.${i}`)
      member.create(ref, this.#world.k, this.#world.k1)
    }
  }

  /** A subscriber or silent relay: looks the feed up, then joins every tree. */
  join (): void {
    this.#lookup(250)
  }

  /** Leaves: says so to every tree, closes its feed layer, lets its links linger, drops its socket. */
  leave (): void {
    if (this.#gone) return
    this.#gone = true
    this.leftAt = this.#world.loop.now
    this.feed?.close()
    for (const m of this.members) m.destroy(LEAVE_LINGER_MS)
    // The socket closes right after the leaves were sent, and reaches the server after them.
    this.#world.server.disconnect(this, this.#world.net.toServer(this.endpoint))
  }

  /** Vanishes: says nothing; the server and the neighbours find out after `detectMs`. */
  crash (detectMs: number): void {
    if (this.#gone) return
    this.#gone = true
    this.leftAt = this.#world.loop.now
    this.endpoint.dead = true
    this.feed?.close()
    for (const m of this.members) m.destroy(detectMs)
    this.#world.server.disconnect(this, detectMs)
  }

  // SignalClient: a message from the server arrived.
  deliver<E extends keyof ServerToClientEvents> (event: E, payload: Parameters<ServerToClientEvents[E]>[0]): void {
    if (this.#gone) return
    if (event === 'tree:lookup') { this.#onLookup(payload as Parameters<ServerToClientEvents['tree:lookup']>[0]); return }
    const treeID = (payload as { treeID?: unknown }).treeID
    if (typeof treeID === 'string') {
      const i = Number(treeID.slice(treeID.lastIndexOf('.') + 1))
      this.members[i]?.deliver(event, payload)
    } else {
      for (const m of this.members) m.deliver(event, payload)
    }
  }

  // MemberHost
  request (event: string, payload: unknown): void {
    if (this.endpoint.dead === true) return
    this.#world.server.send(this, { event, payload } as Parameters<SimServer['send']>[1])
  }

  link (tree: number, direction: 'up' | 'down', transport: MessageLink, remote: string): void {
    if (this.#gone || this.feed === undefined) { transport.close(); return }
    this.feed.attach(transport, { tree, direction, remote })
    this.#events.linkUp(this, tree, direction)
  }

  placed (tree: number): void {
    this.#joinDelay[tree] = this.#world.retryMs
  }

  upstreamLost (tree: number): void {
    if (!this.#gone) this.#events.upstreamLost(this, tree)
  }

  treeEnded (tree: number): void {
    this.#retryJoin(tree)
  }

  error (tree: number, code: string): void {
    if (RETRY_JOIN.has(code) && this.members[tree]?.state.treeID === null) this.#retryJoin(tree)
  }

  #member (i: number): TreeMember {
    const w = this.#world
    const m = new TreeMember(i, this, w.loop, w.links, w.timeoutMs)
    this.members[i] = m
    return m
  }

  #lookup (delay: number): void {
    if (this.#gone) return
    this.#lookupDelay = delay
    this.request('tree:lookup', { key: this.#world.key })
  }

  #lookupDelay = 250
  readonly #joinDelay: number[] = []
  #roles: PeerRole[] = []

  #onLookup (msg: Parameters<ServerToClientEvents['tree:lookup']>[0]): void {
    if (this.feed !== undefined) return
    if (msg.trees === 0) {
      const delay = this.#lookupDelay
      this.#world.loop.after(delay, () => this.#lookup(Math.min(delay * 2, 5_000)))
      return
    }
    this.feed = this.#events.makeFeed(this, msg.trees)
    this.home = this.kind === 'silent' ? -1 : chooseHomeTree(msg.trees, msg.relays, () => this.#rng.float())
    for (let i = 0; i < msg.trees; i++) {
      this.#roles[i] = this.kind === 'silent' || i === this.home ? 'relay' : 'leaf'
      this.#joinDelay[i] = this.#world.retryMs
      this.#member(i)
      this.#attempt(i)
    }
  }

  #attempt (tree: number): void {
    const m = this.members[tree]
    if (this.#gone || m === undefined || m.destroyed || m.state.treeID !== null) return
    m.join(`${this.#world.key}.${tree}`, this.#roles[tree] ?? 'leaf')
  }

  /** As Forest.joinTree: again after about the delay (half to one and a half times it), doubling to 10 s. */
  #retryJoin (tree: number): void {
    if (this.#gone || this.kind === 'source') return
    const delay = this.#joinDelay[tree] ?? this.#world.retryMs
    this.#joinDelay[tree] = Math.min(delay * 2, 10_000)
    this.#world.loop.after(delay * (0.5 + this.#rng.float()), () => this.#attempt(tree))
  }
}
