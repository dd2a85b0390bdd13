import { EventEmitter } from 'node:events'
import wrtc from '@roamhq/wrtc'
import { expect, test } from 'vitest'
import { PeerTreeClient, PeerTreeError } from '../src/index.js'

/** Just enough of a socket to construct a client; these tests never reach a server. */
function fakeSocket (): any {
  const socket: any = new EventEmitter()
  socket.sent = [] as unknown[][]
  socket.emit = function (event: string, ...args: unknown[]) {
    socket.sent.push([event, ...args])
    return true
  }
  socket.off = socket.removeListener
  return socket
}

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
