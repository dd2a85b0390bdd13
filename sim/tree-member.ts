/**
 * One peer's membership of one tree: the real client state machine (peer-tree-client's
 * membership.ts reducer) with its commands carried out on the simulation, the way
 * PeerTreeClient carries them out on a socket and simple-peer: requests go to the simulated
 * server, links open and close through PeerConnections, the retry timer runs on the event
 * loop, and every connected link is handed to the peer's feed layer.
 */
import { initialMembership, reduce, type Command, type Membership, type MembershipEvent } from '../packages/tree-client/src/membership.js'
import type { PeerRole, ServerToClientEvents } from '../packages/tree-server/src/protocol.js'
import type { EventLoop, Scheduled } from './event-loop.js'
import type { Endpoint } from './network-model.js'
import type { LinkOwner, PeerConnections } from './peer-connections.js'
import type { MessageLink } from '../packages/broadcast/src/net/message-link.js'

/** What a membership needs of the peer that holds it. */
export interface MemberHost {
  readonly endpoint: Endpoint
  /** Sends a request to the signalling server. */
  request: (event: string, payload: unknown) => void
  /** A link of this tree is up: hand it to the feed layer. */
  link: (tree: number, direction: 'up' | 'down', transport: MessageLink, remote: string) => void
  /** Placed (again) in the tree. */
  placed: (tree: number) => void
  /** The upstream was lost (it had connected, or was given up). */
  upstreamLost: (tree: number) => void
  /** The tree ended (its source left). */
  treeEnded: (tree: number) => void
  /** A refusal or failure the membership reported. */
  error: (tree: number, code: string) => void
}

export class TreeMember implements LinkOwner {
  readonly tree: number
  readonly #host: MemberHost
  readonly #loop: EventLoop
  readonly #links: PeerConnections
  #m: Membership
  #retry: Scheduled | undefined

  constructor (tree: number, host: MemberHost, loop: EventLoop, links: PeerConnections, timeoutMs: number) {
    this.tree = tree
    this.#host = host
    this.#loop = loop
    this.#links = links
    this.#m = initialMembership(timeoutMs)
  }

  get endpoint (): Endpoint { return this.#host.endpoint }
  get state (): Readonly<Membership> { return this.#m }
  get peerID (): string | null { return this.#m.peerID }
  get destroyed (): boolean { return this.#m.phase === 'destroyed' }

  create (ref: string, k: number, k1: number): void {
    this.run({ type: 'create', req: { ref, k, k1 }, proving: false })
  }

  join (treeID: string, role: PeerRole): void {
    this.run({ type: 'join', treeID, role })
  }

  /** Leaves the tree; the links stay open `lingerMs`, silent, so the neighbours close first. */
  destroy (lingerMs: number): void {
    this.run({ type: 'destroy', lingerMs })
    this.#loop.cancel(this.#retry)
  }

  /** A server message arrived. */
  deliver<E extends keyof ServerToClientEvents> (event: E, payload: Parameters<ServerToClientEvents[E]>[0]): void {
    if (event === 'tree:lookup' || event === 'tree:challenge') return
    this.run({ type: event as Exclude<E, 'tree:lookup' | 'tree:challenge'>, msg: payload } as MembershipEvent)
  }

  connected (session: string): void {
    this.run({ type: 'link:connect', session })
  }

  ended (session: string): void {
    this.run({ type: 'link:end', session })
  }

  run (event: MembershipEvent): void {
    if (this.#m.phase === 'destroyed') return
    const { state, commands } = reduce(this.#m, event)
    this.#m = state
    for (const c of commands) {
      if (this.#m.phase === 'destroyed' && event.type !== 'destroy') return
      this.#do(c)
    }
  }

  #do (c: Command): void {
    switch (c.do) {
      case 'send': return this.#host.request(c.event, c.payload)
      case 'open': return this.#links.open(this, c.session, c.remote, c.direction)
      case 'close': return this.#links.close(this, c.session, c.lingerMs)
      case 'signal': return // signals are not relayed one by one: PeerConnections models the exchange
      case 'timer':
        this.#loop.cancel(this.#retry)
        this.#retry = c.ms === null ? undefined : this.#loop.after(c.ms, () => this.run({ type: 'timer' }))
        return
      case 'connectSocket': return // the simulated signalling socket never drops
      case 'peer': {
        const transport = this.#links.transport(this, c.session)
        if (transport !== undefined) this.#host.link(this.tree, c.event === 'upstreamPeer' ? 'up' : 'down', transport, c.info.peerID)
        return
      }
      case 'emit':
        if (c.event === 'discover') this.#host.placed(this.tree)
        else if (c.event === 'treeEnded') this.#host.treeEnded(this.tree)
        else this.#host.upstreamLost(this.tree)
        return
      case 'error':
        this.#host.error(this.tree, c.code)
    }
  }
}
