// FeedLink over a DataPeer (the peer a feed's links use in browsers), here on @roamhq/wrtc, to a
// simple-peer (what Node members use): big blocks split into fragments arrive whole and in
// order, and the link's back-pressure holds on DataPeer's channel as on simple-peer's.
import wrtc from '@roamhq/wrtc'
import SimplePeer from 'simple-peer'
import { DataPeer } from 'peer-tree-client/core'
import { afterEach, expect, test } from 'vitest'
import { FeedLink } from '../src/net/feed-link.js'
import { SimplePeerLink } from '../src/net/simple-peer-link.js'
import { HIGH_WATER_BYTES, LOW_WATER_BYTES } from '../src/net/net-constants.js'
import { MessageType, encodeMessage } from '../src/wire.js'
import type { Frame } from '../src/reassembler.js'
import { until } from '../../../test/helpers/wait.js'

const peers: Array<{ destroy: () => void }> = []
afterEach(() => { for (const p of peers.splice(0)) p.destroy() })

test('a FeedLink on a DataPeer sends 6 MB of fragmented blocks to one on simple-peer, in order, within its high-water mark', async () => {
  const sender = new DataPeer({ initiator: true, wrtc })
  const receiver = new SimplePeer({ wrtc })
  peers.push(sender, receiver)
  sender.on('signal', (s) => receiver.signal(s as SimplePeer.SignalData))
  receiver.on('signal', (s) => sender.signal(s))
  await Promise.all([new Promise<void>((resolve) => sender.once('connect', () => resolve())), new Promise<void>((resolve) => receiver.once('connect', () => resolve()))])

  const got: number[] = []
  const handlers = (frame: (f: Frame) => void): ConstructorParameters<typeof FeedLink>[2] => ({ frame: (_l, f) => frame(f), malformed () {}, close () {} })
  const out = new FeedLink(new SimplePeerLink(sender as unknown as SimplePeer.Instance), { tree: 0, direction: 'down', remote: 'r' }, handlers(() => {}))
  const into = new FeedLink(new SimplePeerLink(receiver), { tree: 0, direction: 'up', remote: 's' }, handlers((f) => {
    if (f.message.type === MessageType.BLOCK) got.push(f.message.block.entries[0]![0]!)
  }))

  const blocks = 120
  const channel = sender._channel as RTCDataChannel
  let worst = 0
  for (let i = 0; i < blocks; i++) {
    const entry = new Uint8Array(50_000).fill(i)
    expect(out.send(encodeMessage({ type: MessageType.BLOCK, block: { header: new Uint8Array(80), signature: new Uint8Array(64), entries: [entry] } }))).toBe(true)
    worst = Math.max(worst, channel.bufferedAmount)
  }
  await until(() => got.length === blocks, { what: 'every block at the receiver', ms: 30_000, describe: () => `${got.length} of ${blocks}` })
  expect(got).toEqual(Array.from({ length: blocks }, (_, i) => i))
  // The link reads bufferedAmount once per LOW_WATER_BYTES sent, so it may pass the mark by that much and a frame.
  expect(worst).toBeLessThanOrEqual(HIGH_WATER_BYTES + LOW_WATER_BYTES + 16 * 1024)
  expect(out.closed).toBe(false)
  out.close()
  into.close()
})
