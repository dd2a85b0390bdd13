// The membership reducer on its own: events in, the next state and the commands out. No
// socket, no peers, no clock.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { SOCKET_RETRY_MS } from '../src/constants.js'
import { initialMembership, reduce } from '../src/membership.js'
import type { Command, Membership, MembershipEvent } from '../src/membership.js'

const RETRY_MS = 1000

/** Runs `events` from the initial state; returns the last state and every command, in order. */
function run (events: MembershipEvent[], from: Membership = initialMembership(RETRY_MS)): { state: Membership, commands: Command[] } {
  let state = from
  const commands: Command[] = []
  for (const event of events) {
    const step = reduce(state, event)
    state = step.state
    commands.push(...step.commands)
  }
  return { state, commands }
}

const sends = (commands: Command[]): unknown[] => commands.flatMap((c) => c.do === 'send' ? [[c.event, c.payload]] : [])
const emits = (commands: Command[]): string[] => commands.flatMap((c) => c.do === 'emit' || c.do === 'peer' || c.do === 'error' ? [c.do === 'error' ? `error:${c.code}` : c.event] : [])

const discover = (msg: Record<string, unknown>): MembershipEvent => ({
  type: 'tree:discover', msg: { treeID: 't', peerID: 'me', parent: 'p', session: 's1', token: 'me.x', reason: 'join', ...msg }
})
const joined: MembershipEvent[] = [{ type: 'join', treeID: 't', role: 'relay' }, discover({})]
const upstreamUp: MembershipEvent[] = [...joined, { type: 'link:connect', session: 's1' }]

describe('create', () => {
  test('sends tree:create, and becomes the source on the discover that echoes its ref', () => {
    const { state, commands } = run([
      { type: 'create', req: { ref: 'r1', k: 3 }, proving: false },
      { type: 'tree:discover', msg: { treeID: 'other', ref: 'r0', peerID: 'x', parent: null, session: null, token: 'x.y', reason: 'create' } },
      { type: 'tree:discover', msg: { treeID: 't', ref: 'r1', peerID: 'src', parent: null, session: null, token: 'src.y', reason: 'create' } }
    ])
    expect(sends(commands)).toEqual([['tree:create', { ref: 'r1', k: 3 }]])
    expect(emits(commands)).toEqual(['discover'])
    expect(state).toMatchObject({ phase: 'member', isSource: true, treeID: 't', peerID: 'src', token: 'src.y', upstream: null })
  })

  test('with an owner, waits for the proof; a failed proof resets and reports, a second create is refused soon', () => {
    const create: MembershipEvent = { type: 'create', req: { ref: 'r1' }, proving: true }
    const waiting = run([create, create])
    expect(sends(waiting.commands)).toEqual([])
    expect(waiting.commands).toEqual([{ do: 'error', code: 'ALREADY_IN_TREE', message: 'Already connected to tree.', soon: true }])
    const proof = { key: 'k', index: 0, nonce: 'n', signature: 'sig' }
    expect(sends(run([{ type: 'proved', req: { ref: 'r1', owner: proof } }], waiting.state).commands)).toEqual([['tree:create', { ref: 'r1', owner: proof }]])
    const failed = run([{ type: 'proved', req: { ref: 'r1' }, error: { code: 'RATE_LIMITED', message: 'slow down' } }], waiting.state)
    expect(failed.state.phase).toBe('idle')
    expect(emits(failed.commands)).toEqual(['error:RATE_LIMITED'])
    // A proof for a create that was given up is dropped.
    expect(run([{ type: 'proved', req: { ref: 'r1', owner: proof } }], failed.state).commands).toEqual([])
  })
})

describe('connect and discover', () => {
  test('connect sends tree:join with the role; a discover with a parent opens the upstream before it says discover', () => {
    const { state, commands } = run([{ type: 'join', treeID: 't', role: 'leaf' }, discover({})])
    expect(commands).toEqual([
      { do: 'send', event: 'tree:join', payload: { treeID: 't', role: 'leaf' } },
      { do: 'open', session: 's1', remote: 'p', direction: 'upstream' },
      { do: 'emit', event: 'discover', args: ['t'] }
    ])
    expect(state).toMatchObject({ phase: 'member', peerID: 'me', upstream: { session: 's1', remote: 'p', connected: false } })
  })

  test('a discover without a parent opens nothing', () => {
    const { state, commands } = run([{ type: 'join', treeID: 't', role: 'relay' }, discover({ parent: null, session: null })])
    expect(commands.map((c) => c.do)).toEqual(['send', 'emit'])
    expect(state.upstream).toBeNull()
  })

  test('a discover for another tree, or before connect, changes nothing', () => {
    expect(run([discover({})]).commands).toEqual([])
    const { state, commands } = run([{ type: 'join', treeID: 't', role: 'relay' }, discover({ treeID: 'u' })])
    expect(commands).toHaveLength(1)
    expect(state.phase).toBe('joining')
  })

  test('a re-home drops the old upstream (disconnect), opens the new one, then says discover', () => {
    const { commands } = run([...upstreamUp, discover({ parent: 'q', session: 's2', reason: 'parent-left' })])
    expect(commands.slice(-4)).toEqual([
      { do: 'close', session: 's1' },
      { do: 'open', session: 's2', remote: 'q', direction: 'upstream' },
      { do: 'emit', event: 'disconnect', args: [] },
      { do: 'emit', event: 'discover', args: ['t'] }
    ])
  })

  test('connect while in a tree is refused soon, with the documented message', () => {
    expect(run([...joined, { type: 'join', treeID: 'u', role: 'relay' }]).commands.at(-1))
      .toEqual({ do: 'error', code: 'ALREADY_IN_TREE', message: 'Already connected to a tree', soon: true })
  })
})

describe('refused create and join', () => {
  const refusal = (code: string, event: string, ids: Record<string, string>): MembershipEvent => ({ type: 'tree:error', msg: { code, message: 'm', event, ...ids } })

  test('a join refused for a passing reason reports it and asks again when the retry timer fires, until placed', () => {
    const join: MembershipEvent = { type: 'join', treeID: 't', role: 'leaf' }
    const refused = run([join, refusal('RATE_LIMITED', 'tree:join', { treeID: 't' })])
    expect(refused.commands.slice(1)).toEqual([{ do: 'timer', ms: RETRY_MS }, { do: 'error', code: 'RATE_LIMITED', message: 'm' }])
    expect(refused.state).toMatchObject({ phase: 'joining', treeID: 't', retry: 'join' })
    const again = run([{ type: 'timer' }, refusal('STORE_UNAVAILABLE', 'tree:join', { treeID: 't' }), { type: 'timer' }, discover({})], refused.state)
    expect(sends(again.commands)).toEqual([['tree:join', { treeID: 't', role: 'leaf' }], ['tree:join', { treeID: 't', role: 'leaf' }]])
    expect(emits(again.commands)).toEqual(['error:STORE_UNAVAILABLE', 'discover'])
    expect(again.state).toMatchObject({ phase: 'member', retry: null })
  })

  test('a create refused for a passing reason is sent again, same ref; an owned one is not (its proof is spent)', () => {
    const refused = run([{ type: 'create', req: { ref: 'r1', k: 3 }, proving: false }, refusal('STORE_UNAVAILABLE', 'tree:create', { ref: 'r1' })])
    expect(refused.state).toMatchObject({ phase: 'creating', retry: 'create' })
    expect(emits(refused.commands)).toEqual(['error:STORE_UNAVAILABLE'])
    const again = run([{ type: 'timer' }, { type: 'tree:discover', msg: { treeID: 't', ref: 'r1', peerID: 'src', parent: null, session: null, token: 'src.y', reason: 'create' } }], refused.state)
    expect(sends(again.commands)).toEqual([['tree:create', { ref: 'r1', k: 3 }]])
    expect(again.state).toMatchObject({ phase: 'member', isSource: true, treeID: 't' })
    const proof = { key: 'k', index: 0, nonce: 'n', signature: 'sig' }
    const owned = run([{ type: 'create', req: { ref: 'r1' }, proving: true }, { type: 'proved', req: { ref: 'r1', owner: proof } }, refusal('RATE_LIMITED', 'tree:create', { ref: 'r1' })])
    expect(owned.state).toMatchObject({ phase: 'idle', retry: null })
  })

  test('a refusal that does not pass reports it and leaves the client out of any tree, with no retry', () => {
    for (const code of ['TREE_NOT_FOUND', 'TREE_FULL', 'INVALID_PAYLOAD']) {
      const join = run([{ type: 'join', treeID: 't', role: 'relay' }, refusal(code, 'tree:join', { treeID: 't' })])
      expect(join.commands.slice(1)).toEqual([{ do: 'error', code, message: 'm' }])
      expect(join.state).toEqual(initialMembership(RETRY_MS))
    }
    const create = run([{ type: 'create', req: { ref: 'r1' }, proving: false }, refusal('TOO_MANY_TREES', 'tree:create', { ref: 'r1' })])
    expect(create.state).toEqual(initialMembership(RETRY_MS))
    expect(emits(create.commands)).toEqual(['error:TOO_MANY_TREES'])
  })

  test('destroy while a refused join waits stops the retry timer', () => {
    const refused = run([{ type: 'join', treeID: 't', role: 'relay' }, refusal('RATE_LIMITED', 'tree:join', { treeID: 't' })])
    expect(run([{ type: 'destroy', lingerMs: 0 }], refused.state).commands).toEqual([
      { do: 'send', event: 'tree:leave', payload: { treeID: 't' } },
      { do: 'timer', ms: null }
    ])
  })
})

describe('the upstream link', () => {
  test('connected: confirmed to the server, then handed to the application', () => {
    const { state, commands } = run(upstreamUp)
    expect(commands.slice(-2)).toEqual([
      { do: 'send', event: 'peer:connected', payload: { treeID: 't', session: 's1' } },
      { do: 'peer', event: 'upstreamPeer', session: 's1', info: { peerID: 'p', session: 's1', treeID: 't' } }
    ])
    expect(state.upstream?.connected).toBe(true)
  })

  test('timed out or closed: a reconnect naming the link, then disconnect', () => {
    const { state, commands } = run([...joined, { type: 'link:end', session: 's1' }])
    expect(commands.slice(-2)).toEqual([
      { do: 'send', event: 'tree:reconnect', payload: { treeID: 't', session: 's1', failed: true } },
      { do: 'emit', event: 'disconnect', args: [] }
    ])
    expect(state).toMatchObject({ upstream: null, awaiting: true })
    // The end of a link that is no longer ours is nothing.
    expect(run([{ type: 'link:end', session: 's1' }], state).commands).toEqual([])
  })

  test('reconnectUpstream asks once while its answer is out, and never on the source', () => {
    const { state, commands } = run([...upstreamUp, { type: 'reconnectUpstream' }, { type: 'reconnectUpstream' }])
    expect(sends(commands).filter(([e]: any) => e === 'tree:reconnect')).toEqual([['tree:reconnect', { treeID: 't', session: null, failed: true }]])
    expect(emits(commands).filter((e) => e === 'disconnect')).toHaveLength(1)
    const placed = run([discover({ parent: 'q', session: 's2', reason: 'reconnect' })], state).state
    expect(placed.awaiting).toBe(false)
    const source = run([
      { type: 'create', req: { ref: 'r' }, proving: false },
      { type: 'tree:discover', msg: { treeID: 't', ref: 'r', peerID: 's', parent: null, session: null, token: 's.x', reason: 'create' } },
      { type: 'reconnectUpstream' }
    ])
    expect(sends(source.commands)).toEqual([['tree:create', { ref: 'r' }]])
  })

  test('a reconnect refused for a passing reason is asked again when the retry timer fires', () => {
    const asked = run([...joined, { type: 'link:end', session: 's1' }])
    const refused = run([{ type: 'tree:error', msg: { code: 'RATE_LIMITED', message: 'm', event: 'tree:reconnect', treeID: 't' } }], asked.state)
    expect(refused.commands).toEqual([{ do: 'timer', ms: RETRY_MS }, { do: 'error', code: 'RATE_LIMITED', message: 'm' }])
    const again = run([{ type: 'timer' }], refused.state)
    expect(sends(again.commands)).toEqual([['tree:reconnect', { treeID: 't', session: 's1', failed: true }]])
  })
})

describe('downstream links', () => {
  const withChild: MembershipEvent[] = [...joined, { type: 'tree:discover', msg: { treeID: 't', peerID: 'me', parent: null, session: null, token: 'me.x', reason: 'moved' } }, { type: 'peer:child', msg: { treeID: 't', session: 'd1', child: 'kid' } }]

  test('a child opens one link; signals reach only announced links; an ended link is reported, an unlinked one closed quietly', () => {
    const { state, commands } = run([...withChild, { type: 'peer:child', msg: { treeID: 't', session: 'd1', child: 'kid' } },
      { type: 'peer:signal', msg: { treeID: 't', session: 'd1', signal: 'a' } },
      { type: 'peer:signal', msg: { treeID: 't', session: 'nope', signal: 'b' } }])
    expect(commands.filter((c) => c.do === 'open' && c.direction === 'downstream')).toHaveLength(1)
    expect(commands.filter((c) => c.do === 'signal')).toEqual([{ do: 'signal', session: 'd1', signal: 'a' }])
    expect(run([{ type: 'link:end', session: 'd1' }], state).commands).toEqual([{ do: 'send', event: 'peer:failed', payload: { treeID: 't', session: 'd1' } }])
    expect(run([{ type: 'peer:unlink', msg: { treeID: 't', session: 'd1' } }], state).commands).toEqual([{ do: 'close', session: 'd1' }])
  })
})

describe('socket blips', () => {
  test('after a disconnect, the next connect resumes with the token; a resume that keeps the upstream reconfirms the links that are up', () => {
    const up = run([...upstreamUp, { type: 'peer:child', msg: { treeID: 't', session: 'd1', child: 'kid' } }, { type: 'link:connect', session: 'd1' }, { type: 'peer:child', msg: { treeID: 't', session: 'd2', child: 'kid2' } }])
    const back = run([{ type: 'connect' }, { type: 'disconnect' }, { type: 'connect' }], up.state)
    expect(back.commands).toEqual([{ do: 'send', event: 'tree:resume', payload: { treeID: 't', token: 'me.x' } }])
    const resumed = run([discover({ reason: 'resume' })], back.state)
    expect(sends(resumed.commands)).toEqual([['peer:connected', { treeID: 't', session: 's1' }], ['peer:connected', { treeID: 't', session: 'd1' }]])
    expect(emits(resumed.commands)).toEqual([])
  })

  test('a resume refused with BAD_TOKEN: a joiner joins again, the source\'s tree has ended', () => {
    const refusal: MembershipEvent = { type: 'tree:error', msg: { code: 'BAD_TOKEN', message: 'm', event: 'tree:resume', treeID: 't' } }
    const joiner = run([...upstreamUp, refusal])
    expect(joiner.state.phase).toBe('joining')
    expect(sends(joiner.commands).at(-1)).toEqual(['tree:join', { treeID: 't', role: 'relay' }])
    const source = run([
      { type: 'create', req: { ref: 'r' }, proving: false },
      { type: 'tree:discover', msg: { treeID: 't', ref: 'r', peerID: 's', parent: null, session: null, token: 's.x', reason: 'create' } },
      refusal
    ])
    expect(emits(source.commands)).toEqual(['discover', 'treeEnded'])
    expect(source.state.phase).toBe('idle')
  })

  test('server:draining: the socket counts as down at once; the connect after the drop resumes, links untouched', () => {
    const up = run(upstreamUp)
    const drained = run([{ type: 'server:draining', msg: { reason: 'shutdown' } }, { type: 'disconnect' }, { type: 'connect' }], up.state)
    expect(drained.commands).toEqual([{ do: 'send', event: 'tree:resume', payload: { treeID: 't', token: 'me.x' } }])
    // Even if the connection is replaced without a disconnect event reaching us.
    expect(run([{ type: 'server:draining' }, { type: 'connect' }], up.state).commands).toEqual(drained.commands)
    const resumed = run([discover({ reason: 'resume' })], drained.state)
    expect(emits(resumed.commands)).toEqual([])
    expect(resumed.state.upstream).toMatchObject({ session: 's1', connected: true })
  })

  test('an upstream lost while the socket is down or draining is asked for by the resume, not by a reconnect the next server would not know', () => {
    const down = run([...upstreamUp, { type: 'server:draining' }, { type: 'link:end', session: 's1' }])
    expect(sends(down.commands).filter(([e]: any) => e === 'tree:reconnect')).toEqual([])
    expect(emits(down.commands).at(-1)).toBe('disconnect')
    const back = run([{ type: 'connect' }, discover({ reason: 'resume', parent: 'q', session: 's2' })], down.state)
    expect(sends(back.commands)).toEqual([['tree:resume', { treeID: 't', token: 'me.x' }]])
    expect(back.commands).toContainEqual({ do: 'open', session: 's2', remote: 'q', direction: 'upstream' })
    expect(emits(back.commands)).toEqual(['discover'])
  })

  test('a source\'s resume says nothing, as a joiner\'s that keeps its place: the tree and the place are the same', () => {
    const source = run([
      { type: 'create', req: { ref: 'r' }, proving: false },
      { type: 'tree:discover', msg: { treeID: 't', ref: 'r', peerID: 's', parent: null, session: null, token: 's.x', reason: 'create' } },
      { type: 'peer:child', msg: { treeID: 't', session: 'd1', child: 'kid' } }, { type: 'link:connect', session: 'd1' },
      { type: 'disconnect' }, { type: 'connect' },
      { type: 'tree:discover', msg: { treeID: 't', peerID: 's', parent: null, session: null, token: 's.x', reason: 'resume' } }
    ])
    expect(emits(source.commands).filter((e) => e === 'discover')).toHaveLength(1)
    expect(sends(source.commands).at(-1)).toEqual(['peer:connected', { treeID: 't', session: 'd1' }])
    expect(source.state).toMatchObject({ phase: 'member', isSource: true, treeID: 't' })
  })

  test('a socket a draining server refused is connected again on the retry timer until a server takes it, and then resumes, links untouched', () => {
    const up = run(upstreamUp)
    const refusal: MembershipEvent = { type: 'connect_error', msg: { message: 'draining' } }
    const refused = run([{ type: 'server:draining', msg: { reason: 'shutdown' } }, { type: 'disconnect' }, refusal], up.state)
    expect(refused.commands).toEqual([{ do: 'timer', ms: SOCKET_RETRY_MS }])
    expect(refused.state).toMatchObject({ socketDown: true, socketRefused: true, retry: 'socket' })
    // Refused again by another draining process: again, until one takes it.
    const again = run([{ type: 'timer' }, refusal, { type: 'timer' }], refused.state)
    expect(again.commands).toEqual([{ do: 'connectSocket' }, { do: 'timer', ms: SOCKET_RETRY_MS }, { do: 'connectSocket' }])
    const back = run([{ type: 'connect' }], again.state)
    expect(back.commands).toEqual([{ do: 'send', event: 'tree:resume', payload: { treeID: 't', token: 'me.x' } }])
    const resumed = run([discover({ reason: 'resume' })], back.state)
    expect(emits(resumed.commands)).toEqual([])
    expect(resumed.state).toMatchObject({ upstream: { session: 's1', connected: true }, socketDown: false, socketRefused: false, retry: null })
    // A connect before the timer fires (another client on the socket connected it) stops the timer.
    expect(run([{ type: 'connect' }], refused.state).commands).toEqual([{ do: 'timer', ms: null }, ...back.commands])
  })

  test('a transport error (socket.io retries it by itself) or the application\'s own refusal is not retried', () => {
    const up = run(upstreamUp)
    for (const message of ['websocket error', 'timeout', 'not authorized']) {
      const step = run([{ type: 'disconnect' }, { type: 'connect_error', msg: { message } }], up.state)
      expect(step.commands).toEqual([])
      expect(step.state.socketRefused).toBe(false)
    }
    expect(run([{ type: 'connect_error' }], up.state).commands).toEqual([])
  })

  test('a refused socket keeps the retry that was running: a refused resume is asked once more, by the connect, not while the socket is down', () => {
    const { commands } = run([...joined, { type: 'disconnect' }, { type: 'connect' },
      { type: 'tree:error', msg: { code: 'STORE_UNAVAILABLE', message: 'm', event: 'tree:resume', treeID: 't' } },
      { type: 'disconnect' }, { type: 'connect_error', msg: { message: 'draining' } }, { type: 'timer' }, { type: 'connect' }])
    expect(sends(commands).filter(([e]: any) => e === 'tree:resume')).toHaveLength(2)
    expect(commands.filter((c) => c.do === 'connectSocket')).toHaveLength(1)
    expect(commands.filter((c) => c.do === 'timer').map((c) => c.do === 'timer' && c.ms)).toEqual([RETRY_MS, SOCKET_RETRY_MS])
  })

  test('a resume refused because the store is down is sent again when the retry timer fires', () => {
    const { commands } = run([...joined, { type: 'disconnect' }, { type: 'connect' },
      { type: 'tree:error', msg: { code: 'STORE_UNAVAILABLE', message: 'm', event: 'tree:resume', treeID: 't' } },
      { type: 'timer' }])
    expect(sends(commands).filter(([e]: any) => e === 'tree:resume')).toHaveLength(2)
  })
})

test('the tree ends: disconnect before treeEnded, every link closed, back to idle', () => {
  const { state, commands } = run([...upstreamUp, { type: 'peer:child', msg: { treeID: 't', session: 'd1', child: 'kid' } }, { type: 'tree:ended', msg: { treeID: 't', reason: 'source-left' } }])
  expect(emits(commands).slice(-2)).toEqual(['disconnect', 'treeEnded'])
  expect(commands.filter((c) => c.do === 'close').map((c) => c.do === 'close' && c.session).sort()).toEqual(['d1', 's1'])
  expect(state).toEqual({ ...initialMembership(RETRY_MS), socketDown: false })
})

describe('disconnect says a connected upstream was lost, or one this client gave up', () => {
  const replaced = discover({ parent: 'q', session: 's2', reason: 'reconnect' })

  test('re-placed after losing its upstream, then the tree ends before the new link connects: disconnect, discover, treeEnded', () => {
    const { commands } = run([...upstreamUp, { type: 'link:end', session: 's1' }, replaced, { type: 'tree:ended', msg: { treeID: 't', reason: 'source-left' } }])
    expect(emits(commands).slice(2)).toEqual(['disconnect', 'discover', 'treeEnded'])
    expect(commands).toContainEqual({ do: 'close', session: 's2' })
  })

  test('a re-placement that closes a link which never connected says only discover', () => {
    const { commands } = run([...joined, replaced])
    expect(emits(commands)).toEqual(['discover', 'discover'])
    expect(commands).toContainEqual({ do: 'close', session: 's1' })
  })

  test('giving up a link that never connected (timed out, failed, reconnectUpstream) still says disconnect', () => {
    expect(emits(run([...joined, { type: 'link:end', session: 's1' }]).commands).at(-1)).toBe('disconnect')
    expect(emits(run([...joined, { type: 'reconnectUpstream' }]).commands).at(-1)).toBe('disconnect')
  })
})

test('destroy: leave, close every link (lingering if asked), clear the retry timer; nothing after', () => {
  const refused = run([...joined, { type: 'link:end', session: 's1' }, { type: 'tree:error', msg: { code: 'RATE_LIMITED', message: 'm', event: 'tree:reconnect', treeID: 't' } },
    { type: 'peer:child', msg: { treeID: 't', session: 'd1', child: 'kid' } }])
  const { state, commands } = run([{ type: 'destroy', lingerMs: 500 }], refused.state)
  expect(commands).toEqual([
    { do: 'send', event: 'tree:leave', payload: { treeID: 't' } },
    { do: 'close', session: 'd1', lingerMs: 500 },
    { do: 'timer', ms: null }
  ])
  expect(state.phase).toBe('destroyed')
  expect(run([{ type: 'timer' }, discover({}), { type: 'join', treeID: 'u', role: 'relay' }], state).commands).toEqual([])
})

test('the state stays plain JSON and the input state is never changed', () => {
  let state = initialMembership(RETRY_MS)
  for (const event of [...upstreamUp, { type: 'peer:child', msg: { treeID: 't', session: 'd1', child: 'kid' } }, { type: 'link:end', session: 's1' }] as MembershipEvent[]) {
    const before = JSON.stringify(state)
    const next = reduce(state, event).state
    expect(JSON.stringify(state)).toBe(before)
    expect(JSON.parse(JSON.stringify(next))).toEqual(next)
    state = next
  }
})

describe('over random event sequences', () => {
  const session = fc.constantFrom('s1', 's2', 'd1', 'd2')
  const tree = fc.constantFrom('t', 't', 't', 'u')
  const code = fc.constantFrom('RATE_LIMITED', 'STORE_UNAVAILABLE', 'BAD_TOKEN', 'NOT_IN_TREE', 'TREE_NOT_FOUND', 'TREE_FULL', 'UNKNOWN_SESSION')
  const clientEvent = fc.constantFrom('tree:join', 'tree:reconnect', 'tree:resume', 'tree:create', 'peer:connected', 'peer:failed', 'tree:challenge')
  const event: fc.Arbitrary<MembershipEvent> = fc.oneof(
    fc.record({ type: fc.constant('join' as const), treeID: tree, role: fc.constantFrom('relay' as const, 'leaf' as const) }),
    fc.record({ type: fc.constant('create' as const), req: fc.record({ ref: fc.constantFrom('r1', 'r2') }), proving: fc.boolean() }),
    fc.record({ type: fc.constant('proved' as const), req: fc.record({ ref: fc.constantFrom('r1', 'r2') }) }),
    fc.record({ type: fc.constant('reconnectUpstream' as const) }),
    fc.record({
      type: fc.constant('tree:discover' as const),
      msg: fc.record({
        treeID: tree,
        ref: fc.constantFrom(undefined, 'r1'),
        peerID: fc.constant('me'),
        parent: fc.constantFrom(null, 'p', 'q'),
        session: fc.constantFrom(null, 's1', 's2'),
        token: fc.constant('me.x'),
        reason: fc.constantFrom('join', 'reconnect', 'parent-left', 'resume', 'moved', 'create')
      })
    }),
    fc.record({ type: fc.constant('tree:error' as const), msg: fc.record({ code, message: fc.constant('m'), event: clientEvent, treeID: tree }) }),
    fc.record({ type: fc.constant('tree:ended' as const), msg: fc.record({ treeID: tree, reason: fc.constant('source-left') }) }),
    fc.record({ type: fc.constant('peer:child' as const), msg: fc.record({ treeID: tree, session, child: fc.constant('kid') }) }),
    fc.record({ type: fc.constant('peer:unlink' as const), msg: fc.record({ treeID: tree, session }) }),
    fc.record({ type: fc.constant('peer:signal' as const), msg: fc.record({ treeID: tree, session, signal: fc.constant('x') }) }),
    fc.record({ type: fc.constantFrom('connect' as const, 'disconnect' as const, 'server:draining' as const) }),
    fc.record({ type: fc.constant('connect_error' as const), msg: fc.record({ message: fc.constantFrom('draining', 'websocket error') }) }),
    fc.record({ type: fc.constantFrom('link:connect' as const, 'link:end' as const), session }),
    fc.constant({ type: 'timer' } as const),
    fc.oneof({ weight: 1, arbitrary: fc.record({ type: fc.constant('destroy' as const), lingerMs: fc.constantFrom(0, 100) }) }, { weight: 9, arbitrary: fc.constant({ type: 'reconnectUpstream' } as const) })
  )

  test('links, timers and commands stay consistent', () => {
    // Half the runs start as a member with an upstream, so that deep states come often.
    const prefix = fc.constantFrom([], [...upstreamUp, { type: 'peer:child', msg: { treeID: 't', session: 'd1', child: 'kid' } }] as MembershipEvent[])
    fc.assert(fc.property(prefix, fc.array(event, { maxLength: 60 }), (start, rest) => {
      const events = [...start, ...rest]
      let state = initialMembership(RETRY_MS)
      /** Links the shell would hold open, by session. */
      const open = new Map<string, 'upstream' | 'downstream'>()
      let timer = false
      for (const e of events) {
        const wasDestroyed = state.phase === 'destroyed'
        // The shell reports a timer only while it runs, and a link's end only once.
        if (e.type === 'timer' && !timer) continue
        if (e.type === 'timer') timer = false
        if ((e.type === 'link:end' || e.type === 'link:connect') && !open.has(e.session)) continue
        if (e.type === 'link:end') open.delete(e.session)
        const { state: next, commands } = reduce(state, e)
        if (wasDestroyed) expect(commands).toEqual([])
        let sawPublic = false
        for (const c of commands) {
          const isPublic = c.do === 'emit' || c.do === 'peer' || c.do === 'error'
          // Public events come after the step's I/O.
          if (!isPublic) expect(sawPublic).toBe(false)
          sawPublic ||= isPublic
          if (c.do === 'open') {
            expect(open.has(c.session)).toBe(false)
            open.set(c.session, c.direction)
          }
          if (c.do === 'close') expect(open.delete(c.session)).toBe(true)
          if (c.do === 'signal' || c.do === 'peer') expect(open.has(c.session)).toBe(true)
          if (c.do === 'timer') {
            // Stopped only when one runs; a start replaces the one that runs.
            if (c.ms === null) expect(timer).toBe(true)
            timer = c.ms !== null
          }
        }
        state = next
        // At most one upstream link; the state names exactly the links that are open.
        expect([...open.values()].filter((d) => d === 'upstream').length).toBeLessThanOrEqual(1)
        const named = [...(state.upstream === null ? [] : [state.upstream.session]), ...state.downstream.map((l) => l.session)]
        expect(named.sort()).toEqual([...open.keys()].sort())
        expect(timer).toBe(state.retry !== null)
        expect(JSON.parse(JSON.stringify(state))).toEqual(state)
      }
      // Destroyed, nothing is left open and no timer runs.
      if (state.phase === 'destroyed') {
        expect(open.size).toBe(0)
        expect(timer).toBe(false)
      }
    }), { numRuns: 3000 })
  })
})
