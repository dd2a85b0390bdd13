// Which peer connections a client opens, in which role, with which options. createPeer (the
// only place that makes a simple-peer) is wrapped so the test sees every call; it still
// makes real ones.
import wrtc from '@roamhq/wrtc'
import { beforeEach, expect, test, vi } from 'vitest'
import { createPeer } from '../src/create-peer.js'
import { PeerTreeClient } from '../src/index.js'
import { fakeSocket } from './helpers/fake-socket.js'

vi.mock('../src/create-peer.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/create-peer.js')>()
  return { createPeer: vi.fn(real.createPeer) }
})

const made = vi.mocked(createPeer)
beforeEach(() => { made.mockClear() })

test('the downstream end is the WebRTC initiator, and opts reach simple-peer in both directions', () => {
  const socket = fakeSocket()
  const config = { iceServers: [] }
  const opts = { wrtc, trickle: false, config, timeout: 5000 }
  const client = new PeerTreeClient(socket, opts)
  client.connect('t')
  socket.deliver('tree:discover', { treeID: 't', peerID: 'me', parent: 'up', session: 's-up', token: 'me.x', reason: 'join' })
  socket.deliver('peer:child', { treeID: 't', session: 's-down', child: 'kid' })
  expect(made.mock.calls.map(([, initiator]) => initiator)).toEqual([true, false])
  for (const [peerOpts] of made.mock.calls) {
    expect(peerOpts).toEqual({ wrtc, trickle: false, config })
  }
  expect(opts).toEqual({ wrtc, trickle: false, config, timeout: 5000 })
  client.destroy()
})

test('a client opens only the links the server announced: a signal on any other session opens nothing', () => {
  // The original accepted every incoming request ("all incoming requests are downstream").
  const socket = fakeSocket()
  const client = new PeerTreeClient(socket, { wrtc })
  client.connect('t')
  const offer = { type: 'offer', sdp: 'v=0\r\n' }
  socket.deliver('peer:signal', { treeID: 't', session: 'unannounced', signal: offer })
  expect(made).not.toHaveBeenCalled()
  socket.deliver('tree:discover', { treeID: 't', peerID: 'me', parent: 'up', session: 's-up', token: 'me.x', reason: 'join' })
  expect(made).toHaveBeenCalledTimes(1)
  socket.deliver('peer:signal', { treeID: 't', session: 'unannounced', signal: offer })
  socket.deliver('peer:signal', { treeID: 'another-tree', session: 's-up', signal: offer })
  socket.deliver('peer:child', { treeID: 'another-tree', session: 's-x', child: 'kid' })
  expect(made).toHaveBeenCalledTimes(1)
  socket.deliver('peer:child', { treeID: 't', session: 's-down', child: 'kid' })
  socket.deliver('peer:child', { treeID: 't', session: 's-down', child: 'kid' }) // a repeat opens nothing more
  expect(made).toHaveBeenCalledTimes(2)
  client.destroy()
})

test('the source opens no upstream', () => {
  const socket = fakeSocket()
  const client = new PeerTreeClient(socket, { wrtc })
  client.create()
  const [, { ref }] = socket.sent.find(([e]: [string]) => e === 'tree:create')
  socket.deliver('tree:discover', { treeID: 't', ref, peerID: 'src', parent: null, session: null, token: 'src.x', reason: 'create' })
  expect(client.isSource).toBe(true)
  expect(made).not.toHaveBeenCalled()
  client.destroy()
})

test('a downstream link that ends is reported to the server (peer:failed) once; a refusal of a report that crossed a move is not an error', async () => {
  const socket = fakeSocket()
  const client = new PeerTreeClient(socket, { wrtc })
  const errors: unknown[] = []
  client.on('error', (e) => errors.push(e))
  client.connect('t')
  socket.deliver('tree:discover', { treeID: 't', peerID: 'me', parent: 'up', session: 's-up', token: 'me.x', reason: 'join' })
  socket.deliver('peer:child', { treeID: 't', session: 's-down', child: 'kid' })
  socket.deliver('peer:child', { treeID: 't', session: 's-gone', child: 'kid2' })
  const down = made.mock.results[1]?.value
  const closed = new Promise((resolve) => down.once('close', resolve))
  down.destroy()
  await closed
  // A link the server unlinked is closed quietly: the server already knows.
  socket.deliver('peer:unlink', { treeID: 't', session: 's-gone' })
  expect(socket.sent.filter(([e]: [string]) => e === 'peer:failed')).toEqual([['peer:failed', { treeID: 't', session: 's-down' }]])
  socket.deliver('tree:error', { code: 'UNKNOWN_SESSION', message: 'Unknown session.', event: 'peer:failed', treeID: 't' })
  socket.deliver('tree:error', { code: 'NOT_IN_TREE', message: 'Not a member of that tree.', event: 'peer:connected', treeID: 't' })
  expect(errors).toEqual([])
  client.destroy()
  expect(socket.sent.filter(([e]: [string]) => e === 'peer:failed')).toHaveLength(1)
})

test('after a resume the client confirms again every link that is up (a confirmation sent while the socket was down was refused)', () => {
  const socket = fakeSocket()
  const client = new PeerTreeClient(socket, { wrtc })
  client.connect('t')
  socket.deliver('tree:discover', { treeID: 't', peerID: 'me', parent: 'up', session: 's-up', token: 'me.x', reason: 'join' })
  socket.deliver('peer:child', { treeID: 't', session: 's-down', child: 'kid' })
  socket.deliver('peer:child', { treeID: 't', session: 's-slow', child: 'kid2' })
  // Up and down links connect (as simple-peer reports it), the third never does.
  made.mock.results[0]?.value.emit('connect')
  made.mock.results[1]?.value.emit('connect')
  const confirms = (): unknown[] => socket.sent.filter(([e]: [string]) => e === 'peer:connected').map(([, p]: [string, unknown]) => p)
  expect(confirms()).toEqual([{ treeID: 't', session: 's-up' }, { treeID: 't', session: 's-down' }])
  socket.deliver('tree:discover', { treeID: 't', peerID: 'me', parent: 'up', session: 's-up', token: 'me.x', reason: 'resume' })
  expect(confirms()).toEqual([{ treeID: 't', session: 's-up' }, { treeID: 't', session: 's-down' }, { treeID: 't', session: 's-up' }, { treeID: 't', session: 's-down' }])
  client.destroy()
})
