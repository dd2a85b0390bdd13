import { readFileSync } from 'node:fs'
import wrtc from '@roamhq/wrtc'
import { describe, expect, test, vi } from 'vitest'
import { DEFAULT_TIMEOUT_MS, PeerTreeClient, PeerTreeError } from '../src/index.js'
import { fakeSocket } from './helpers/fake-socket.js'

test('works with and without new, and never mutates the options object', () => {
  const opts = { wrtc, timeout: 500 }
  const frozen = Object.freeze({ ...opts })
  const a = new PeerTreeClient(fakeSocket(), frozen)
  const b = PeerTreeClient(fakeSocket(), opts)
  expect(a).toBeInstanceOf(PeerTreeClient)
  expect(b).toBeInstanceOf(PeerTreeClient)
  expect(opts).toEqual({ wrtc, timeout: 500 })
  expect(b.timeout).toBe(500)
})

test('rejects bad arguments with exceptions (API misuse), not events', () => {
  expect(() => new PeerTreeClient(undefined as any)).toThrow(TypeError)
  expect(() => new PeerTreeClient(fakeSocket(), { timeout: -1 })).toThrow(RangeError)
  const client = new PeerTreeClient(fakeSocket())
  expect(() => client.connect(42 as any)).toThrow(PeerTreeError)
  expect(() => client.connect('t', { role: 'boss' as any })).toThrow(/role/)
})

test("an 'error' with no listener does not throw (the README attaches none)", () => {
  const socket = fakeSocket()
  const client = new PeerTreeClient(socket)
  client.create()
  expect(() => client.create()).not.toThrow()
  expect(() => socket.listeners('tree:error')[0]({ code: 'TREE_NOT_FOUND', message: 'Tree does not exist.' })).not.toThrow()
})

test('destroy() is idempotent, tells the server, and later calls throw ERR_DESTROYED', () => {
  const socket = fakeSocket()
  const client = new PeerTreeClient(socket)
  client.connect('tree-1')
  client.destroy()
  client.destroy()
  expect(socket.sent.filter(([e]: [string]) => e === 'tree:leave')).toEqual([['tree:leave', { treeID: 'tree-1' }]])
  expect(() => client.create()).toThrow(expect.objectContaining({ code: 'ERR_DESTROYED' }))
  expect(socket.listenerCount('tree:discover')).toBe(0)
})

test('write() before any downstream peer reaches nobody and says so', () => {
  const client = new PeerTreeClient(fakeSocket())
  expect(client.write('hello world')).toBe(0)
})

test('opts.timeout (default 10000, as documented) bounds the upstream set-up: then disconnect, and a new upstream is asked for', () => {
  vi.useFakeTimers()
  try {
    const doc = readFileSync(new URL('../../../docs/client-api.md', import.meta.url), 'utf8')
    expect(doc).toContain(`| \`timeout\` | \`${DEFAULT_TIMEOUT_MS}\` |`)
    expect(DEFAULT_TIMEOUT_MS).toBe(10_000)
    // The original passed opts.timeout nowhere that mattered: simple-signal's fixed 10 s applied.
    for (const timeout of [undefined, 1234]) {
      const socket = fakeSocket()
      const client = new PeerTreeClient(socket, timeout === undefined ? { wrtc } : { wrtc, timeout })
      const limit = timeout ?? DEFAULT_TIMEOUT_MS
      expect(client.timeout).toBe(limit)
      const disconnect = vi.fn()
      client.on('disconnect', disconnect)
      client.connect('tree-1')
      socket.listeners('tree:discover')[0]({ treeID: 'tree-1', peerID: 'me', parent: 'silent', session: 's1', token: 'me.x', reason: 'join' })
      vi.advanceTimersByTime(limit - 1)
      expect(disconnect).not.toHaveBeenCalled()
      vi.advanceTimersByTime(1)
      expect(disconnect).toHaveBeenCalledTimes(1)
      expect(socket.sent.filter(([e]: [string]) => e === 'tree:reconnect')).toEqual([['tree:reconnect', { treeID: 'tree-1', session: 's1', failed: true }]])
      client.destroy()
    }
  } finally {
    vi.useRealTimers()
  }
})

test('when the source leaves, a member whose upstream had not connected yet gets treeEnded only, and no discover (as documented)', () => {
  const doc = readFileSync(new URL('../../../docs/client-api.md', import.meta.url), 'utf8')
  expect(doc).toContain("gets `'disconnect'` first, once, then `'treeEnded'`")
  expect(doc).toContain('one whose upstream had not connected yet gets only `\'treeEnded\'`')
  const socket = fakeSocket()
  const client = new PeerTreeClient(socket, { wrtc })
  const seen: string[] = []
  for (const event of ['discover', 'disconnect', 'treeEnded'] as const) client.on(event, () => { seen.push(event) })
  client.connect('tree-1')
  socket.listeners('tree:discover')[0]({ treeID: 'tree-1', peerID: 'me', parent: 'p', session: 's1', token: 'me.x', reason: 'join' })
  socket.listeners('tree:ended')[0]({ treeID: 'tree-1', reason: 'source-left' })
  // Its upstream link (never connected here: no WebRTC) was not lost, only closed.
  expect(seen).toEqual(['discover', 'treeEnded'])
  expect(client.treeID).toBeNull()
  client.destroy()
})

test('a socket event the client cannot handle never throws into socket.io, and later events are still handled', () => {
  // In the original, one throw inside a socket.io-client handler stopped that socket for good.
  const socket = fakeSocket()
  const client = new PeerTreeClient(socket)
  const discovered: string[] = []
  client.on('discover', (treeID) => discovered.push(treeID))
  client.connect('tree-1')
  const hostile = { get treeID (): string { throw new Error('hostile getter') } }
  for (const event of ['tree:discover', 'tree:ended', 'tree:error', 'peer:child', 'peer:unlink', 'peer:signal', 'connect', 'disconnect']) {
    for (const payload of [undefined, null, 42, 'x', [], {}, hostile]) {
      for (const fn of socket.listeners(event)) expect(() => fn(payload), `${event} ${String(payload)}`).not.toThrow()
    }
  }
  socket.listeners('tree:discover')[0]({ treeID: 'tree-1', peerID: 'me', parent: null, session: null, token: 'me.x', reason: 'join' })
  expect(discovered).toEqual(['tree-1'])
  expect(client.treeID).toBe('tree-1')
})

test('a malformed signal from the network ends the upstream link and asks for another, instead of throwing', async () => {
  const socket = fakeSocket()
  const client = new PeerTreeClient(socket, { wrtc })
  const disconnect = vi.fn()
  client.on('disconnect', disconnect)
  client.connect('tree-1')
  socket.listeners('tree:discover')[0]({ treeID: 'tree-1', peerID: 'me', parent: 'p', session: 's1', token: 'me.x', reason: 'join' })
  const onSignal = socket.listeners('peer:signal')[0]
  expect(() => onSignal({ treeID: 'tree-1', session: 's1', signal: { type: 'answer', sdp: 'not sdp at all' } })).not.toThrow()
  await vi.waitFor(() => expect(disconnect).toHaveBeenCalledTimes(1))
  // The destroyed peer gets more signals: the original threw 'cannot signal after peer is destroyed'.
  expect(() => onSignal({ treeID: 'tree-1', session: 's1', signal: { candidate: 'x' } })).not.toThrow()
  expect(socket.sent.filter(([e]: [string]) => e === 'tree:reconnect')).toEqual([['tree:reconnect', { treeID: 'tree-1', session: 's1', failed: true }]])
  client.destroy()
})

describe('when the server has lost or cannot yet restore our place', () => {
  const placed = { treeID: 't1', peerID: 'me', parent: null, session: null, token: 'me.secret', reason: 'join' }
  const sentEvents = (socket: any, event: string): unknown[] => socket.sent.filter(([e]: [string]) => e === event)

  test('a reconnect refused with NOT_IN_TREE makes a joiner join again', () => {
    const socket = fakeSocket()
    const client = new PeerTreeClient(socket, { wrtc })
    client.connect('t1')
    socket.deliver('tree:discover', placed)
    client.reconnectUpstream()
    socket.deliver('tree:error', { code: 'NOT_IN_TREE', message: 'Not in tree.', event: 'tree:reconnect', treeID: 't1' })
    expect(sentEvents(socket, 'tree:join')).toHaveLength(2)
    client.destroy()
  })

  test('a resume refused because the store is down is asked again after opts.timeout', () => {
    vi.useFakeTimers()
    try {
      const socket = fakeSocket()
      const client = new PeerTreeClient(socket, { wrtc, timeout: 1000 })
      client.connect('t1')
      socket.deliver('tree:discover', placed)
      socket.deliver('disconnect', 'transport close')
      socket.deliver('connect', undefined)
      expect(sentEvents(socket, 'tree:resume')).toEqual([['tree:resume', { treeID: 't1', token: 'me.secret' }]])
      socket.deliver('tree:error', { code: 'STORE_UNAVAILABLE', message: 'Store unavailable.', event: 'tree:resume', treeID: 't1' })
      vi.advanceTimersByTime(999)
      expect(sentEvents(socket, 'tree:resume')).toHaveLength(1)
      vi.advanceTimersByTime(1)
      expect(sentEvents(socket, 'tree:resume')).toHaveLength(2)
      expect(client.treeID).toBe('t1')
      client.destroy()
    } finally {
      vi.useRealTimers()
    }
  })
})
