// MediaRelay in Node, over @roamhq/wrtc: video from a Node source through two forwarding
// peers (k = k1 = 1 makes a chain); the first forwarder leaves, the second is re-placed under
// the source and swaps the new track into its sender, and the last peer keeps getting frames.
import wrtc from '@roamhq/wrtc'
import { afterEach, describe, expect, test } from 'vitest'
import { MediaRelay } from 'peer-tree-client/media'
import { Swarm, type TestPeer } from '../helpers/swarm.js'
import { nextEvent, until } from '../helpers/wait.js'

const { RTCVideoSource, RTCVideoSink } = (wrtc as any).nonstandard
const WIDTH = 160
const HEIGHT = 120
/** Frames the last peer must receive after the repair (about 2 s at the source's rate). */
const MORE_FRAMES = 60

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })

/** A video track fed a changing I420 frame every 33 ms until the swarm closes. */
function videoSource (): MediaStreamTrack {
  const source = new RTCVideoSource()
  const data = new Uint8ClampedArray(WIDTH * HEIGHT * 1.5)
  let n = 0
  const timer = setInterval(() => {
    data.fill(n++ % 256, 0, WIDTH * HEIGHT)
    source.onFrame({ width: WIDTH, height: HEIGHT, data })
  }, 33)
  const track = source.createTrack() as MediaStreamTrack
  swarm.onClose(() => { clearInterval(timer); track.stop() })
  return track
}

/** Counts the frames of the first video track `relay.stream` gets (it is never swapped on the last peer). */
function countFrames (relay: MediaRelay): { frames: number } {
  const counter = { frames: 0 }
  relay.once('media', (stream) => {
    const sink = new RTCVideoSink(stream.getVideoTracks()[0])
    sink.onframe = () => { counter.frames++ }
    swarm.onClose(() => { sink.stop() })
  })
  return counter
}

describe('MediaRelay with Node peers', () => {
  test('the last peer of a chain keeps getting frames after the forwarder above it is re-placed', async () => {
    const { url } = await swarm.server({ k: 1, k1: 1 })
    const source = swarm.peer(url, { name: 'source' })
    const sourceRelay = new MediaRelay(source.client, { stream: new wrtc.MediaStream([videoSource()]) })
    const discovered = nextEvent<[string]>(source.client, 'discover')
    source.client.create()
    const [treeID] = await discovered

    const relays = new Map<TestPeer, MediaRelay>()
    const counters = new Map<TestPeer, { frames: number }>()
    for (const name of ['f1', 'f2', 'last']) {
      const peer = swarm.peer(url, { name })
      const relay = new MediaRelay(peer.client)
      relays.set(peer, relay)
      counters.set(peer, countFrames(relay))
      peer.client.connect(treeID)
      await until(() => (counters.get(peer)?.frames ?? 0) >= 10, { what: `${name} gets frames` })
    }
    const [f1, f2, last] = [...relays.keys()] as [TestPeer, TestPeer, TestPeer]
    const f2Relay = relays.get(f2) as MediaRelay
    const lastFrames = counters.get(last) as { frames: number }

    const swapped = nextEvent<[{ kind: string, senders: number }]>(f2Relay, 'swap')
    f1.client.destroy({ lingerMs: 1000 })
    f1.socket.disconnect()
    expect(await swapped).toEqual([{ kind: 'video', senders: 1 }])
    expect(f2Relay.stats).toEqual({ added: 1, replaced: 1 })
    const atRepair = lastFrames.frames
    await until(() => lastFrames.frames >= atRepair + MORE_FRAMES, { what: 'the last peer gets frames after the repair' })
    expect(last.discovers).toBe(1)
    for (const p of [source, f2, last]) expect(p.errors).toEqual([])
    expect(sourceRelay.stats.added).toBe(2)
  })
})
