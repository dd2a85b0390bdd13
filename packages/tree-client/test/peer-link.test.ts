import wrtc from '@roamhq/wrtc'
import { afterEach, expect, test, vi } from 'vitest'
import SimplePeer from 'simple-peer'
import { PeerLink } from '../src/peer-link.js'

afterEach(() => { vi.useRealTimers() })

test('a link that does not connect ends with "timeout" after exactly its timeout, once', () => {
  vi.useFakeTimers()
  const end = vi.fn()
  const link = new PeerLink('s1', 'parent', 'upstream', { wrtc, Peer: SimplePeer }, 1234, { signal: () => {}, connect: () => {}, end })
  vi.advanceTimersByTime(1233)
  expect(end).not.toHaveBeenCalled()
  vi.advanceTimersByTime(1)
  expect(end).toHaveBeenCalledTimes(1)
  expect(end).toHaveBeenCalledWith('timeout', undefined)
  expect(link.peer.destroyed || (link.peer as any).destroying).toBe(true)
  vi.advanceTimersByTime(60_000)
  expect(end).toHaveBeenCalledTimes(1)
})

test('close() ends the link quietly and later signals are dropped', () => {
  const end = vi.fn()
  const link = new PeerLink('s1', 'child', 'downstream', { wrtc, Peer: SimplePeer }, 10_000, { signal: () => {}, connect: () => {}, end })
  link.close()
  expect(() => link.signal({ type: 'offer', sdp: 'garbage' })).not.toThrow()
  expect(end).not.toHaveBeenCalled()
  expect(link.peer.destroyed || (link.peer as any).destroying).toBe(true)
})

test('a malformed relayed signal ends the link with "error" instead of throwing', async () => {
  const end = vi.fn()
  const link = new PeerLink('s1', 'child', 'downstream', { wrtc, Peer: SimplePeer }, 10_000, { signal: () => {}, connect: () => {}, end })
  link.signal({ type: 'answer', sdp: 'not sdp at all' })
  await vi.waitFor(() => expect(end).toHaveBeenCalledTimes(1))
  expect(end.mock.calls[0]?.[0]).toBe('error')
  link.close()
})

test('two links connect, hand out a connected peer, and replay "connect" for listeners added in the handler', async () => {
  let child!: PeerLink
  let parent!: PeerLink
  const handedOut = new Promise<void>((resolve) => {
    let n = 0
    const onConnect = (peer: any): void => {
      expect(peer.connected).toBe(true)
      peer.on('connect', () => { if (++n === 2) resolve() })
    }
    child = new PeerLink('s', 'p', 'upstream', { wrtc, Peer: SimplePeer }, 10_000, { signal: (s) => parent.signal(s), connect: onConnect, end: () => {} })
    parent = new PeerLink('s', 'c', 'downstream', { wrtc, Peer: SimplePeer }, 10_000, { signal: (s) => child.signal(s), connect: onConnect, end: () => {} })
  })
  await handedOut
  child.close()
  parent.close()
})
