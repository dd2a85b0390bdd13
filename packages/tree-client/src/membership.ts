/**
 * One client's membership of one tree as a pure reducer: what the socket delivers, what the
 * links report, the calls the application makes and timers firing go in; the next state and
 * the commands for the I/O class (peer-tree-client.ts) come out. No I/O and no clock here, and
 * the state is plain JSON: the links themselves (peer objects) live in the I/O class, the
 * state names them by session.
 */
import {
  DRAINING_REFUSAL,
  type ClientToServerEvents, type CreateRequest, type PeerId, type PeerRole, type ServerErrorCode, type SessionId, type TreeId
} from './protocol.js'
import { SOCKET_RETRY_MS } from './constants.js'
import type { ClientErrorCode } from './errors.js'

export type Phase = 'idle' | 'creating' | 'joining' | 'member' | 'destroyed'

export interface LinkState {
  session: SessionId
  /** The member at the other end. */
  remote: PeerId
  connected: boolean
}

export interface Membership {
  phase: Phase
  treeID: TreeId | null
  peerID: PeerId | null
  isSource: boolean
  /** The correlation ID of the create that is out. */
  ref: string | null
  /** The create that is out, to send again after a passing refusal; null for an owned one (its proof is for one use). */
  req: CreateRequest | null
  /** The secret that resumes this membership after a socket reconnect. */
  token: string | null
  role: PeerRole
  upstream: LinkState | null
  downstream: LinkState[]
  /** A reconnect request is out and its discover has not come back yet. */
  awaiting: boolean
  /** The session the last reconnect request gave up (null: any upstream). */
  askedFor: SessionId | null
  /** What the retry timer asks again for when it fires; null when it does not run. */
  retry: 'reconnect' | 'resume' | 'join' | 'create' | 'socket' | null
  /** How long (ms) to wait before asking again after a passing refusal. */
  retryMs: number
  /** The socket went down since the last connect: on the next one, claim the place back. */
  socketDown: boolean
  /**
   * A draining server refused the socket: socket.io will not connect it again by itself, so
   * the retry timer does (with whatever else it retries).
   */
  socketRefused: boolean
}

type Sent = { [E in keyof ClientToServerEvents]: Parameters<ClientToServerEvents[E]>[0] }
/** The payload of each client-to-server event. */
export type SendPayloads = { [E in keyof Sent]: Sent[E] }

export type Command =
  | { [E in keyof Sent]: { do: 'send', event: E, payload: Sent[E] } }[keyof Sent]
  /** Make the peer of a link; the child end (`upstream`) initiates. */
  | { do: 'open', session: SessionId, remote: PeerId, direction: 'upstream' | 'downstream' }
  /** Close a link without reporting its end; `lingerMs` keeps it open that long, silent. */
  | { do: 'close', session: SessionId, lingerMs?: number }
  | { do: 'signal', session: SessionId, signal: unknown }
  /** (Re)start the one retry timer, or stop it (`ms: null`). */
  | { do: 'timer', ms: number | null }
  /** Connect the socket again (`socket.connect()`), unless it is connecting already. */
  | { do: 'connectSocket' }
  /** Hand a link's connected peer to the application. */
  | { do: 'peer', event: 'upstreamPeer' | 'downstreamPeer', session: SessionId, info: { peerID: PeerId, session: SessionId, treeID: TreeId } }
  | { do: 'emit', event: 'discover' | 'treeEnded', args: [TreeId] }
  | { do: 'emit', event: 'disconnect', args: [] }
  /** `soon`: after the current call returns, so that a listener attached right after it gets it. */
  | { do: 'error', code: ServerErrorCode | ClientErrorCode, message: string, cause?: unknown, soon?: boolean }

/** What the socket, the links, the application and the timers tell the membership. */
export type MembershipEvent =
  | { type: 'create', req: CreateRequest, proving: boolean }
  /** The owner proof of the create `req.ref` is in `req`, or could not be made (`error`). */
  | { type: 'proved', req: CreateRequest, error?: { code: ServerErrorCode | ClientErrorCode, message: string, cause?: unknown } }
  | { type: 'join', treeID: TreeId, role: PeerRole }
  | { type: 'reconnectUpstream' }
  | { type: 'destroy', lingerMs: number }
  /** What the socket delivered, by its event name; server messages as they came off the network (anything at all). */
  | { type: 'tree:discover' | 'tree:ended' | 'tree:error' | 'peer:child' | 'peer:unlink' | 'peer:signal' | 'server:draining' | 'connect' | 'disconnect', msg?: any }
  /** The socket could not connect; `msg` is socket.io's error (`message` is the server's word when the server refused it). */
  | { type: 'connect_error', msg?: any }
  | { type: 'link:connect' | 'link:end', session: SessionId }
  /** The retry timer fired. */
  | { type: 'timer' }

export interface Step {
  state: Membership
  /** In order; the public events of a step come after its I/O, so a listener sees it done. */
  commands: Command[]
}

export function initialMembership (retryMs: number): Membership {
  return {
    phase: 'idle',
    treeID: null,
    peerID: null,
    isSource: false,
    ref: null,
    req: null,
    token: null,
    role: 'relay',
    upstream: null,
    downstream: [],
    awaiting: false,
    askedFor: null,
    retry: null,
    retryMs,
    socketDown: false,
    socketRefused: false
  }
}

/** The transition for `event`: `state` is not changed, the step holds the next one. */
export function reduce (state: Membership, event: MembershipEvent): Step {
  if (state.phase === 'destroyed') return { state, commands: [] }
  // The state is plain JSON: a deep copy is the draft this step changes.
  const s: Membership = JSON.parse(JSON.stringify(state))
  const io: Command[] = []
  const events: Command[] = []

  const send = <E extends keyof Sent>(event: E, payload: Sent[E]): void => { io.push({ do: 'send', event, payload } as Command) }
  const close = (session: SessionId): void => { io.push({ do: 'close', session }) }
  const emit = (event: 'discover' | 'treeEnded', treeID: TreeId): void => { events.push({ do: 'emit', event, args: [treeID] }) }
  const error = (code: ServerErrorCode | ClientErrorCode, message: string, more?: { cause?: unknown, soon?: true }): void => {
    events.push({ do: 'error', code, message, ...more })
  }
  const idle = (message: string): boolean => {
    if (s.phase === 'idle') return true
    error('ALREADY_IN_TREE', message, { soon: true })
    return false
  }
  const confirm = (session: SessionId): void => { send('peer:connected', { treeID: s.treeID as TreeId, session }) }
  /** Whether `session` is one of our links (sessions are the server's; one that names two links is ignored). */
  const linked = (session: SessionId): boolean => s.upstream?.session === session || s.downstream.some((l) => l.session === session)
  const removeDown = (session: SessionId): boolean => {
    const i = s.downstream.findIndex((l) => l.session === session)
    return i >= 0 && s.downstream.splice(i, 1).length > 0
  }
  const disconnect = (): void => { events.push({ do: 'emit', event: 'disconnect', args: [] }) }
  /**
   * Closes the upstream link. `'disconnect'` says an upstream was lost: one that had connected,
   * or one this client gives up (`gaveUp`); a link the server's word closes before it
   * connected (a re-placement, the tree ending) was never the application's upstream.
   */
  const dropUpstream = (gaveUp = false): void => {
    if (s.upstream === null) return
    const lost = s.upstream.connected || gaveUp
    close(s.upstream.session)
    s.upstream = null
    if (lost) disconnect()
  }
  const closeLinks = (lingerMs = 0): void => {
    for (const { session } of [...(s.upstream === null ? [] : [s.upstream]), ...s.downstream]) {
      io.push(lingerMs > 0 ? { do: 'close', session, lingerMs } : { do: 'close', session })
    }
    s.upstream = null
    s.downstream = []
  }
  const clearRetry = (): void => {
    if (s.retry === null) return
    s.retry = null
    io.push({ do: 'timer', ms: null })
  }
  const startRetry = (kind: Membership['retry']): void => {
    s.retry = kind
    io.push({ do: 'timer', ms: s.retryMs })
  }
  const reset = (): void => {
    closeLinks()
    clearRetry()
    Object.assign(s, initialMembership(s.retryMs), { socketDown: s.socketDown, socketRefused: s.socketRefused })
  }
  /**
   * Asks the server for a new upstream, avoiding the old one (`failed`). `session` is the link
   * given up (a request that crossed a move the server made is ignored), or null for any.
   */
  const ask = (session: SessionId | null): void => {
    s.askedFor = session
    // The socket is down or going: socket.io would deliver the request after the reconnect,
    // ahead of the resume, to a server that does not know us yet (refused NOT_IN_TREE, and we
    // would join anew). The resume's answer places us instead.
    if (s.treeID === null || s.socketDown) return
    s.awaiting = true
    send('tree:reconnect', { treeID: s.treeID, session, failed: true })
  }
  const resume = (): void => {
    const { phase, treeID, token } = s
    if (phase === 'member' && treeID !== null && token !== null) send('tree:resume', { treeID, token })
  }
  const ended = (treeID: TreeId): void => {
    reset()
    emit('treeEnded', treeID)
  }

  const discover = (msg: any): void => {
    if (msg == null || typeof msg !== 'object') return
    if (s.phase === 'creating') {
      if (msg.ref === undefined || msg.ref !== s.ref) return
      Object.assign(s, { phase: 'member', isSource: true, treeID: msg.treeID, peerID: msg.peerID, token: msg.token })
      emit('discover', msg.treeID)
      return
    }
    if (msg.treeID !== s.treeID || (s.phase !== 'joining' && s.phase !== 'member')) return
    s.peerID = msg.peerID
    s.token = msg.token
    s.awaiting = false
    clearRetry()
    const up = s.upstream
    // The same upstream as before, or still none (the source's resume): nothing moved.
    const kept = (up?.session ?? null) === msg.session
    if (msg.reason === 'resume') {
      // Confirmations sent while the socket was down reached the server before the resume
      // (and were refused): say again which links are up, or the server would give them up.
      for (const link of [...(kept && up !== null ? [up] : []), ...s.downstream]) if (link.connected) confirm(link.session)
      if (kept) return
    }
    dropUpstream()
    s.phase = 'member'
    if (msg.parent !== null && msg.session !== null && !linked(msg.session)) {
      s.upstream = { session: msg.session, remote: msg.parent, connected: false }
      io.push({ do: 'open', session: msg.session, remote: msg.parent, direction: 'upstream' })
    }
    emit('discover', msg.treeID)
  }

  const refused = (msg: any): void => {
    if (msg == null || typeof msg !== 'object') return
    const { event, code } = msg
    // Refused challenges go to the create that asked for one (challenge.ts), not to everyone.
    if (event === 'tree:challenge') return
    // A link report that crossed a move or a leave (the link was already gone on the server,
    // or it reached the server before this socket's resume): nothing to do, nothing to tell.
    if ((event === 'peer:connected' || event === 'peer:failed') && (code === 'UNKNOWN_SESSION' || code === 'NOT_IN_TREE')) return
    const mine = (msg.ref !== undefined && msg.ref === s.ref) ||
      (msg.treeID !== undefined && msg.treeID === s.treeID) ||
      (msg.ref === undefined && msg.treeID === undefined)
    if (!mine) return
    const member = s.phase === 'member'
    // The server no longer holds our place: a resume after our grace period ran out or after
    // the tree ended, or a reconnect for a membership it dropped. A joiner joins again, a
    // source's tree has ended.
    if ((event === 'tree:resume' || event === 'tree:reconnect') && member &&
      (code === 'BAD_TOKEN' || code === 'TREE_NOT_FOUND' || code === 'NOT_IN_TREE')) {
      if (s.isSource) return ended(s.treeID as TreeId)
      dropUpstream()
      closeLinks()
      s.phase = 'joining'
      send('tree:join', { treeID: s.treeID as TreeId, role: s.role })
      return
    }
    const passing = code === 'RATE_LIMITED' || code === 'STORE_UNAVAILABLE'
    // Refused for a passing reason (store down, rate limit): claim the place again later.
    if (event === 'tree:resume' && passing && member) startRetry('resume')
    // A refused create or join leaves no place on the server: ask again later if the refusal
    // passes, else the client is out of any tree.
    if (passing && s.phase === 'creating' && event === 'tree:create' && s.req !== null) startRetry('create')
    else if (passing && s.phase === 'joining' && event === 'tree:join') startRetry('join')
    else if (s.phase === 'creating' || (s.phase === 'joining' && event === 'tree:join')) reset()
    // A refused reconnect moved nothing; after a passing refusal ask again later, unless placed meanwhile.
    if (event === 'tree:reconnect' && s.awaiting && member) {
      s.awaiting = false
      if (passing) startRetry('reconnect')
    }
    error(code, String(msg.message))
  }

  const linkUp = (session: SessionId): void => {
    const link = [s.upstream, ...s.downstream].find((l) => l?.session === session)
    if (link == null) return
    link.connected = true
    confirm(session)
    events.push({ do: 'peer', event: link === s.upstream ? 'upstreamPeer' : 'downstreamPeer', session, info: { peerID: link.remote, session, treeID: s.treeID as TreeId } })
  }

  /**
   * A link ended by itself (timeout, close, error). The upstream's end asks the server for
   * another parent. A child's end is reported (`peer:failed`), whoever ended it (the
   * application destroying a peer it distrusts included): the server then frees the slot at
   * once and places the child elsewhere.
   */
  const linkEnded = (session: SessionId): void => {
    if (s.upstream?.session === session) {
      s.upstream = null
      if (s.phase === 'member') ask(session)
      disconnect()
    } else if (removeDown(session)) {
      send('peer:failed', { treeID: s.treeID as TreeId, session })
    }
  }

  const e = event
  switch (e.type) {
    case 'create':
      if (!idle('Already connected to tree.')) break
      s.phase = 'creating'
      s.ref = e.req.ref
      if (e.proving) break
      s.req = e.req
      send('tree:create', e.req)
      break
    case 'proved':
      if (s.phase !== 'creating' || s.ref !== e.req.ref) break
      if (e.error === undefined) {
        send('tree:create', e.req)
      } else {
        reset()
        events.push({ do: 'error', ...e.error })
      }
      break
    case 'join':
      if (!idle('Already connected to a tree')) break
      s.phase = 'joining'
      s.treeID = e.treeID
      s.role = e.role
      send('tree:join', { treeID: e.treeID, role: e.role })
      break
    case 'reconnectUpstream':
      // One request, one move: the original moved twice.
      if (s.phase !== 'member' || s.isSource || s.awaiting) break
      dropUpstream(true)
      ask(null)
      break
    case 'destroy':
      if (s.treeID !== null && (s.phase === 'member' || s.phase === 'joining')) send('tree:leave', { treeID: s.treeID })
      closeLinks(e.lingerMs)
      clearRetry()
      s.phase = 'destroyed'
      break
    case 'tree:discover':
      discover(e.msg)
      break
    case 'tree:error':
      refused(e.msg)
      break
    case 'tree:ended':
      if (e.msg?.treeID !== s.treeID || s.phase === 'idle' || s.phase === 'creating') break
      dropUpstream()
      ended(e.msg.treeID)
      break
    case 'peer:child': {
      const { treeID, session, child } = e.msg ?? {}
      if (treeID !== s.treeID || s.phase !== 'member' || linked(session)) break
      s.downstream.push({ session, remote: child, connected: false })
      io.push({ do: 'open', session, remote: child, direction: 'downstream' })
      break
    }
    case 'peer:unlink':
      // The server already knows: close quietly.
      if (e.msg?.treeID === s.treeID && removeDown(e.msg.session)) close(e.msg.session)
      break
    case 'peer:signal': {
      const msg = e.msg
      if (msg?.treeID === s.treeID && linked(msg.session)) {
        io.push({ do: 'signal', session: msg.session, signal: msg.signal })
      }
      break
    }
    // The server is going away and closes our connection next; links stay up. Count the socket
    // as down now: nothing more is asked of that server, and the next connect resumes.
    case 'server:draining':
    case 'disconnect':
      s.socketDown = true
      break
    // A draining process took the reconnect (the balancer had not seen it go yet) and refused
    // it: socket.io gives such a socket up, so connect it again soon, while the server's
    // grace period still holds our place; the balancer sends it to a process that takes it.
    // Other refusals are the application's (its own middleware): not retried.
    case 'connect_error':
      if (e.msg?.message !== DRAINING_REFUSAL) break
      s.socketDown = true
      s.socketRefused = true
      s.retry ??= 'socket'
      io.push({ do: 'timer', ms: SOCKET_RETRY_MS })
      break
    case 'connect':
      // After a signalling-socket blip the server may still hold our place: claim it back.
      if (!s.socketDown) break
      s.socketDown = false
      s.socketRefused = false
      if (s.retry === 'socket') clearRetry()
      resume()
      break
    case 'link:connect':
      linkUp(e.session)
      break
    case 'link:end':
      linkEnded(e.session)
      break
    case 'timer': {
      const kind = s.retry
      s.retry = null
      if (s.socketRefused) {
        s.socketRefused = false
        io.push({ do: 'connectSocket' })
      }
      // While the socket is down, its next connect resumes (and the resume's answer places us).
      if (kind === 'resume' && !s.socketDown) resume()
      else if (kind === 'join' && s.phase === 'joining') send('tree:join', { treeID: s.treeID as TreeId, role: s.role })
      else if (kind === 'create' && s.phase === 'creating' && s.req !== null) send('tree:create', s.req)
      else if (kind === 'reconnect' && s.phase === 'member' && s.upstream === null && !s.awaiting) ask(s.askedFor)
    }
  }
  return { state: s, commands: [...io, ...events] }
}
