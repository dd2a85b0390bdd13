import { EventEmitter } from 'node:events'
import { describe, expect, test } from 'vitest'
import { FeedLink } from '../src/net/feed-link.js'
import { SimplePeerLink } from '../src/net/simple-peer-link.js'
import { encodeMessage, MessageType } from '../src/wire.js'

/** A simple-peer stand-in: records sends, exposes a data channel whose bufferedAmount the test sets. */
function fakePeer (): any {
  const peer: any = new EventEmitter()
  peer.sent = [] as Uint8Array[]
  peer._channel = { bufferedAmount: 0, readyState: 'open', onbufferedamountlow: null }
  peer.send = (frame: Uint8Array) => { peer.sent.push(frame) }
  peer.destroy = () => { peer.destroyed = true; peer.emit('close') }
  return peer
}

const handlers = { frame: () => {}, malformed: () => {}, close: () => {} }
const message = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill)

describe('FeedLink back-pressure', () => {
  test('sends at once while the channel keeps up, and reads bufferedAmount only every 64 KiB', () => {
    const peer = fakePeer()
    let reads = 0
    Object.defineProperty(peer._channel, 'bufferedAmount', { get: () => { reads++; return 0 } })
    const link = new FeedLink(new SimplePeerLink(peer), { tree: 0, direction: 'down', remote: 'x' }, handlers)
    for (let i = 0; i < 40; i++) link.send(message(8000, i))
    expect(peer.sent).toHaveLength(40)
    expect(reads).toBe(Math.floor((40 * 8000) / 65536))
  })

  test('queues above the high-water mark and drains in order when the channel says it is low', () => {
    const peer = fakePeer()
    const link = new FeedLink(new SimplePeerLink(peer), { tree: 0, direction: 'down', remote: 'x' }, handlers)
    for (let i = 0; i < 8; i++) link.send(message(10_000, i)) // 80 kB: one reading, still low
    peer._channel.bufferedAmount = 300_000
    for (let i = 8; i < 20; i++) link.send(message(10_000, i))
    const sentBefore = peer.sent.length
    expect(sentBefore).toBeLessThan(20)
    peer._channel.bufferedAmount = 0
    peer._channel.onbufferedamountlow()
    expect(peer.sent.map((f: Uint8Array) => f[0])).toEqual([...Array(20).keys()])
    expect(link.closed).toBe(false)
  })

  test('a receiver that falls behind by more than maxQueuedBytes is dropped', () => {
    const peer = fakePeer()
    let closed = 0
    const link = new FeedLink(new SimplePeerLink(peer), { tree: 0, direction: 'down', remote: 'x' }, { ...handlers, close: () => { closed++ } }, { maxQueuedBytes: 100_000 })
    peer._channel.bufferedAmount = 1_000_000
    let ok = true
    for (let i = 0; i < 30 && ok; i++) ok = link.send(message(10_000, i))
    expect(ok).toBe(false)
    expect(link.closed).toBe(true)
    expect(closed).toBe(1)
    expect(link.send(message(10, 0))).toBe(false)
  })

  test('a message larger than a data-channel message goes out as fragments', () => {
    const peer = fakePeer()
    const link = new FeedLink(new SimplePeerLink(peer), { tree: 0, direction: 'down', remote: 'x' }, handlers)
    link.send(message(100_000, 7))
    expect(peer.sent.length).toBeGreaterThan(6)
    for (const frame of peer.sent) expect(frame.length).toBeLessThanOrEqual(16 * 1024)
  })
})

/** A WebRTC object stand-in: its listeners, and `fire(type)` to call them. */
function listenable<T extends object> (target: T): T & { fire: (type: string) => void } {
  const listeners = new Map<string, Array<() => void>>()
  return Object.assign(target, {
    addEventListener (type: string, listener: () => void) { listeners.set(type, [...(listeners.get(type) ?? []), listener]) },
    fire (type: string) { for (const l of listeners.get(type) ?? []) l() }
  })
}

describe('FeedLink never sends on a channel that is not open', () => {
  for (const state of ['closing', 'closed', 'connecting']) {
    test(`a channel whose readyState is '${state}' when the link is made gets no send; the link closes`, () => {
      const peer = fakePeer()
      peer._channel.readyState = state
      let closed = 0
      const link = new FeedLink(new SimplePeerLink(peer), { tree: 0, direction: 'down', remote: 'x' }, { ...handlers, close: () => { closed++ } })
      expect(link.send(message(10, 2))).toBe(false)
      expect(link.send(message(100_000, 3))).toBe(false)
      expect(peer.sent).toHaveLength(0)
      expect(link.closed).toBe(true)
      expect(closed).toBe(1)
    })
  }

  test('a channel that closed gets no send from its close event on, before the peer says it closed; the link closes', () => {
    const peer = fakePeer()
    let theirs = 0
    peer._channel.onclose = () => { theirs++ }
    let closed = 0
    const link = new FeedLink(new SimplePeerLink(peer), { tree: 0, direction: 'down', remote: 'x' }, { ...handlers, close: () => { closed++ } })
    link.send(message(10, 1))
    peer._channel.onclose()
    expect(theirs).toBe(1) // simple-peer's own handler still runs
    expect(link.send(message(10, 2))).toBe(false)
    expect(peer.sent).toHaveLength(1)
    expect(link.closed).toBe(true)
    expect(closed).toBe(1)
  })

  test('a channel the other end began to close (its closing event) gets no send', () => {
    const peer = fakePeer()
    peer._channel = listenable(peer._channel)
    const link = new FeedLink(new SimplePeerLink(peer), { tree: 0, direction: 'down', remote: 'x' }, handlers)
    link.send(message(10, 1))
    peer._channel.fire('closing')
    expect(link.send(message(10, 2))).toBe(false)
    expect(peer.sent).toHaveLength(1)
  })

  test('a peer being destroyed, or a transport that closed or failed under an open channel, gets no send', () => {
    const destroying = fakePeer()
    const a = new FeedLink(new SimplePeerLink(destroying), { tree: 0, direction: 'down', remote: 'x' }, handlers)
    destroying.destroying = true
    expect(a.send(message(10, 1))).toBe(false)
    expect(destroying.sent).toHaveLength(0)

    const gone = fakePeer()
    gone._pc = listenable({ connectionState: 'connected', sctp: listenable({ state: 'connected' }) })
    const b = new FeedLink(new SimplePeerLink(gone), { tree: 0, direction: 'down', remote: 'x' }, handlers)
    b.send(message(10, 1))
    gone._pc.sctp.state = 'closed'
    gone._pc.sctp.fire('statechange')
    expect(b.send(message(10, 2))).toBe(false)
    expect(gone.sent).toHaveLength(1)

    const failed = fakePeer()
    failed._pc = listenable({ connectionState: 'connected', sctp: null })
    const c = new FeedLink(new SimplePeerLink(failed), { tree: 0, direction: 'down', remote: 'x' }, handlers)
    c.send(message(10, 1))
    failed._pc.connectionState = 'failed'
    failed._pc.fire('connectionstatechange')
    expect(c.send(message(10, 2))).toBe(false)
    expect(failed.sent).toHaveLength(1)
  })

  test('a transport closed when the link is made gets no send', () => {
    const peer = fakePeer()
    peer._pc = { sctp: { state: 'closed' } }
    const link = new FeedLink(new SimplePeerLink(peer), { tree: 0, direction: 'down', remote: 'x' }, handlers)
    expect(link.send(message(10, 1))).toBe(false)
    expect(peer.sent).toHaveLength(0)
  })

  test('frames queued for a congested channel are dropped, not sent, when it closes before draining', () => {
    const peer = fakePeer()
    const link = new FeedLink(new SimplePeerLink(peer), { tree: 0, direction: 'down', remote: 'x' }, handlers)
    for (let i = 0; i < 8; i++) link.send(message(10_000, i))
    peer._channel.bufferedAmount = 300_000
    for (let i = 8; i < 20; i++) link.send(message(10_000, i))
    const before = peer.sent.length
    peer._channel.onclose()
    peer._channel.bufferedAmount = 0
    peer._channel.onbufferedamountlow()
    expect(peer.sent).toHaveLength(before)
    expect(link.closed).toBe(true)
  })
})

describe('FeedLink reads the data channel', () => {
  test('messages come from the channel itself (ArrayBuffers), not from the peer\'s data event; none once the peer is destroyed', () => {
    const peer = fakePeer()
    const frames: unknown[] = []
    const link = new FeedLink(new SimplePeerLink(peer), { tree: 0, direction: 'up', remote: 'x' }, { ...handlers, frame: (_l, f) => { frames.push(f.message) } })
    const have = encodeMessage({ type: MessageType.HAVE, highest: 5 })
    peer._channel.onmessage({ data: new Uint8Array(have).buffer })
    peer.emit('data', have) // simple-peer's stream: not read
    expect(frames).toEqual([{ type: MessageType.HAVE, highest: 5 }])
    expect(link.bytesReceived).toBe(have.length)
    peer.destroyed = true
    peer._channel.onmessage({ data: new Uint8Array(have).buffer })
    expect(frames).toHaveLength(1)
  })
})
