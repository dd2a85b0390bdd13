// DataPeer (peer-tree-client/core's small data-only peer) speaks simple-peer 9's signals: a
// DataPeer and a simple-peer connect whichever of them initiates, and carry bytes both ways.
// Here both run on @roamhq/wrtc; the browser suites run the DataPeer on Chromium's own WebRTC.
import wrtc from '@roamhq/wrtc'
import SimplePeer from 'simple-peer'
import { afterEach, expect, onTestFinished, test, vi } from 'vitest'
import { Swarm } from '../../../test/helpers/swarm.js'
import { DataPeer, PeerTreeClient as CoreClient } from '../src/core.js'
import { PeerTreeClient } from '../src/index.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })

interface Pair { a: any, b: any }

/** Two peers whose signals are relayed to each other directly, as the server would. */
function pair (a: any, b: any): Pair {
  a.on('signal', (s: unknown) => { if (!b.destroyed) b.signal(JSON.parse(JSON.stringify(s))) })
  b.on('signal', (s: unknown) => { if (!a.destroyed) a.signal(JSON.parse(JSON.stringify(s))) })
  onTestFinished(() => { a.destroy(); b.destroy() })
  return { a, b }
}

const connected = (p: any): Promise<void> => new Promise((resolve) => p.once('connect', resolve))
const nextData = (p: any): Promise<Uint8Array> => new Promise((resolve) => p.once('data', resolve))

async function exchange ({ a, b }: Pair): Promise<void> {
  await Promise.all([connected(a), connected(b)])
  expect(a.connected).toBe(true)
  expect(b.connected).toBe(true)
  const toB = nextData(b)
  a.send(new Uint8Array([1, 2, 3, 250]))
  expect([...await toB]).toEqual([1, 2, 3, 250])
  const toA = nextData(a)
  b.send(new Uint8Array(20_000).fill(7))
  const got = await toA
  expect(got).toBeInstanceOf(Uint8Array)
  expect(got.length).toBe(20_000)
  expect(got.every((x) => x === 7)).toBe(true)
}

test('a DataPeer initiator and a simple-peer answerer connect and carry bytes both ways', async () => {
  await exchange(pair(new DataPeer({ initiator: true, wrtc }), new SimplePeer({ wrtc })))
})

test('a simple-peer initiator and a DataPeer answerer connect and carry bytes both ways', async () => {
  await exchange(pair(new SimplePeer({ initiator: true, wrtc }), new DataPeer({ wrtc })))
})

test('a string sent by simple-peer arrives at a DataPeer as bytes; a close on one end closes the other', async () => {
  const { a, b } = pair(new SimplePeer({ initiator: true, wrtc }), new DataPeer({ wrtc }))
  await Promise.all([connected(a), connected(b)])
  const got = nextData(b)
  a.send('hello')
  expect(new TextDecoder().decode(await got)).toBe('hello')
  const closed = new Promise((resolve) => b.once('close', resolve))
  a.destroy()
  await closed
  expect(b.destroyed).toBe(true)
  expect(b.connected).toBe(false)
})

test('a malformed signal ends a DataPeer with ERR_SIGNALING, then close; a signal after that throws ERR_DESTROYED', async () => {
  const peer = new DataPeer({ wrtc })
  const events: string[] = []
  peer.on('error', (err) => events.push(err.code))
  const closed = new Promise<void>((resolve) => peer.on('close', () => { events.push('close'); resolve() }))
  peer.signal({ type: 'offer' })
  await closed
  expect(events).toEqual(['ERR_SIGNALING', 'close'])
  expect(() => peer.signal({ type: 'candidate', candidate: {} })).toThrow(expect.objectContaining({ code: 'ERR_DESTROYED' }))
})

test('a DataPeer refuses media: it carries data only', () => {
  expect(() => new DataPeer({ wrtc, stream: {} })).toThrow(TypeError)
})

test('peer-tree-client/core has no default peer class; the main entry makes simple-peers', () => {
  const socket = { on () {}, off () {}, emit () {} }
  expect(() => new CoreClient(socket as never, { wrtc })).toThrow(/opts\.Peer/)
  expect(new CoreClient(socket as never, { Peer: DataPeer }).opts.Peer).toBe(DataPeer)
  expect(new PeerTreeClient(socket as never, { wrtc }).opts.Peer).toBe(SimplePeer)
})

test('a core client on DataPeers joins a tree whose source runs simple-peer, and gets its data', async () => {
  const { url } = await swarm.server()
  const sockets = [swarm.socket(url), swarm.socket(url)]
  const source = new PeerTreeClient(sockets[0] as never, { wrtc })
  const viewer = new CoreClient(sockets[1] as never, { Peer: DataPeer, wrtc })
  swarm.onClose(() => { viewer.destroy(); source.destroy() })
  const treeID = await new Promise<string>((resolve) => { source.on('discover', resolve); source.create() })
  const received: string[] = []
  viewer.on('upstreamPeer', (peer) => {
    expect(peer).toBeInstanceOf(DataPeer)
    peer.on('data', (chunk: Uint8Array) => received.push(new TextDecoder().decode(chunk)))
  })
  source.on('downstreamPeer', (peer) => { peer.write('one'); peer.write('two') })
  viewer.connect(treeID)
  await vi.waitFor(() => expect(received).toEqual(['one', 'two']), { timeout: 20_000 })
})
