/**
 * Simulated WebRTC links between the members of a tree. The child end initiates, as
 * PeerLink does: its offer goes through the signalling server to the parent, the parent's
 * answer comes back the same way, and the connection is up after a handshake of
 * `handshakeRtts` round trips between the two peers (ICE checks, DTLS, SCTP). An end that
 * does not connect within `timeoutMs` gives up, as PeerLink's timer does. Once up, the two
 * ends are a simulated MessageLink pair (sim-link.ts) whose bytes travel on the network
 * model; either end closing reaches the other after one link latency.
 */
import type { MessageLink } from '../packages/broadcast/src/net/message-link.js'
import type { EventLoop, Scheduled } from './event-loop.js'
import type { Endpoint, NetworkModel } from './network-model.js'
import { SimLinkEnd } from './sim-link.js'

/** What one end of a link tells its owner (the membership that opened it). */
export interface LinkOwner {
  readonly endpoint: Endpoint
  /** The link is up at this end. */
  connected: (session: string) => void
  /** The link ended by itself (timeout, or closed by the other end or by the feed layer). */
  ended: (session: string) => void
}

export interface ConnectionOptions {
  timeoutMs: number
  handshakeRtts: number
}

class End {
  readonly owner: LinkOwner
  readonly session: string
  readonly conn: Connection
  connected = false
  /** Its owner closed it, or it ended: nothing more is reported. */
  done = false
  transport: SimLinkEnd | undefined
  timer: Scheduled | undefined

  constructor (owner: LinkOwner, session: string, conn: Connection) {
    this.owner = owner
    this.session = session
    this.conn = conn
  }
}

interface Connection {
  session: string
  child?: End
  parent?: End
}

export class PeerConnections {
  readonly #loop: EventLoop
  readonly #net: NetworkModel
  readonly #opts: ConnectionOptions
  readonly #bySession = new Map<string, Connection>()
  /** Links that came up, and handshakes that never completed (an end gave up or closed first). */
  readonly stats = { opened: 0, connected: 0, timedOut: 0 }
  /** How long each link took from the child's open to the child's end connecting (ms). */
  readonly setupMs: number[] = []

  readonly #endpointOf: (peerID: string) => Endpoint | undefined

  /** `endpointOf` finds a member's peer by its ID in a tree (the server's routing). */
  constructor (loop: EventLoop, net: NetworkModel, opts: ConnectionOptions, endpointOf: (peerID: string) => Endpoint | undefined) {
    this.#loop = loop
    this.#net = net
    this.#opts = opts
    this.#endpointOf = endpointOf
  }

  /** One end of link `session` opens (`upstream`: this is the child, the initiator). */
  open (owner: LinkOwner, session: string, remote: string, direction: 'upstream' | 'downstream'): void {
    let conn = this.#bySession.get(session)
    if (conn === undefined) { conn = { session }; this.#bySession.set(session, conn) }
    const end = new End(owner, session, conn)
    if (direction === 'upstream') conn.child = end
    else conn.parent = end
    end.timer = this.#loop.after(this.#opts.timeoutMs, () => {
      if (end.connected || end.done) return
      this.stats.timedOut++
      this.#end(end)
    })
    if (direction === 'upstream') {
      this.stats.opened++
      this.#offer(conn, end, remote, this.#loop.now)
    }
  }

  /** The owner closes its end (after `lingerMs`, silent meanwhile): nothing is reported to it. */
  close (owner: LinkOwner, session: string, lingerMs = 0): void {
    const conn = this.#bySession.get(session)
    const end = conn?.child?.owner === owner ? conn.child : conn?.parent?.owner === owner ? conn.parent : undefined
    if (conn === undefined || end === undefined) return
    end.done = true
    this.#loop.cancel(end.timer)
    const shut = (): void => {
      end.transport?.close()
      this.#forget(end)
    }
    if (lingerMs > 0) this.#loop.after(lingerMs, shut)
    else shut()
  }

  /** The transport of a connected end, for the feed layer. */
  transport (owner: LinkOwner, session: string): MessageLink | undefined {
    const conn = this.#bySession.get(session)
    const end = conn?.child?.owner === owner ? conn.child : conn?.parent?.owner === owner ? conn.parent : undefined
    return end?.transport
  }

  /** The child's offer, through the server to the parent; the answer back the same way. */
  #offer (conn: Connection, child: End, remote: string, openedAt: number): void {
    const net = this.#net
    // The server relays it on the parent's socket, behind the `peer:child` that opened the
    // parent's end: it finds that end there unless the parent closed it (or left) meanwhile.
    this.#loop.after(net.toServer(child.owner.endpoint), () => {
      const at = this.#endpointOf(remote)
      if (child.done || at === undefined) return
      this.#loop.after(net.toServer(at), () => {
        const parent = conn.parent
        if (parent === undefined || parent.done || child.done) return
        // Its answer goes back through the server; then the two peers' handshake.
        const back = net.toServer(parent.owner.endpoint) + net.toServer(child.owner.endpoint)
        const rtt = 2 * net.latency(child.owner.endpoint, parent.owner.endpoint)
        this.#loop.after(back + this.#opts.handshakeRtts * rtt, () => this.#connect(child, parent, openedAt))
      })
    })
  }

  #connect (child: End, parent: End, openedAt: number): void {
    if (child.done || parent.done) return
    const net = this.#net
    const a = child.owner.endpoint
    const b = parent.owner.endpoint
    const [up, down] = SimLinkEnd.pair(net.lane(a, b), net.lane(b, a), net, this.#loop)
    up.onClosed = () => this.#end(child)
    down.onClosed = () => this.#end(parent)
    child.transport = up
    parent.transport = down
    this.stats.connected++
    this.setupMs.push(this.#loop.now - openedAt)
    this.#up(child)
    // The parent hears the handshake's last message one link latency later.
    this.#loop.after(net.latency(a, b), () => { if (!parent.done && parent.transport?.closed !== true) this.#up(parent) })
  }

  #up (end: End): void {
    end.connected = true
    this.#loop.cancel(end.timer)
    end.owner.connected(end.session)
  }

  /**
   * The end gave up (timeout), or its transport closed (by the other end, or by the feed
   * layer here): the owner hears of it once.
   */
  #end (end: End): void {
    if (end.done) return
    end.done = true
    this.#loop.cancel(end.timer)
    end.transport?.close()
    this.#forget(end)
    end.owner.ended(end.session)
  }

  #forget (end: End): void {
    const conn = end.conn
    if (conn.child === end) delete conn.child
    if (conn.parent === end) delete conn.parent
    if (conn.child === undefined && conn.parent === undefined && this.#bySession.get(conn.session) === conn) this.#bySession.delete(conn.session)
  }
}
