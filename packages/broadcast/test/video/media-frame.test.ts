/** A frame survives the entry codec as it was; values that are not frames are refused, not thrown on. */
import { describe, expect, test } from 'vitest'
import { decodeEntry, encodeEntry } from '../../src/codec.js'
import { mediaFrameEntry, readMediaFrame, type MediaFrame } from '../../src/video/media-frame.js'

const keyFrame: MediaFrame = {
  track: 'video',
  key: true,
  timestamp: 33_333,
  duration: 33_333,
  data: new Uint8Array([1, 2, 3]),
  group: -1,
  config: { codec: 'vp8', codedWidth: 320, codedHeight: 240 }
}
const delta: MediaFrame = { track: 'video', key: false, timestamp: 66_666, duration: 0, data: new Uint8Array([4]), group: 12 }

/** What a subscriber's 'entry' event hands over for this entry value. */
function throughFeed (value: unknown): unknown {
  const decoded = decodeEntry(encodeEntry(value))
  if (!decoded.ok) throw new Error('did not decode')
  return decoded.value
}

describe('media frames as entries', () => {
  test('key frames, deltas and audio chunks come back equal through the entry codec', () => {
    const audio: MediaFrame = {
      track: 'audio',
      key: true,
      timestamp: -20_000,
      duration: 20_000,
      data: new Uint8Array(60),
      group: -1,
      config: { codec: 'opus', sampleRate: 48_000, numberOfChannels: 1, description: new Uint8Array([9, 9]) }
    }
    const { config: _config, ...audioInGroup } = audio
    for (const frame of [keyFrame, delta, audio, { ...audioInGroup, group: 40 }]) {
      const back = readMediaFrame(throughFeed(mediaFrameEntry(frame)))
      // In Node binary comes back as a Buffer (a Uint8Array): compare the bytes.
      const plain = (f: MediaFrame | undefined): unknown => f === undefined ? f : { ...f, data: [...f.data], ...(f.config?.description !== undefined && { config: { ...f.config, description: [...f.config.description] } }) }
      expect(plain(back)).toEqual(plain(frame))
    }
  })

  test('a frame costs a few bytes over its data', () => {
    const data = new Uint8Array(2000)
    const bytes = encodeEntry(mediaFrameEntry({ ...delta, data })).length
    expect(bytes - data.length).toBeLessThan(20)
  })

  test.each<[string, unknown]>([
    ['not an array', { track: 'video' }],
    ['too short', [0, 1, 0, 0, new Uint8Array(1)]],
    ['an unknown track', [7, 0, 0, 0, new Uint8Array(1), 3]],
    ['data that is not bytes', [0, 0, 0, 0, 'xx', 3]],
    ['a fractional timestamp', [0, 0, 0.5, 0, new Uint8Array(1), 3]],
    ['a negative duration', [0, 0, 0, -1, new Uint8Array(1), 3]],
    ['a group before -1', [0, 0, 0, 0, new Uint8Array(1), -2]],
    ['a group start that is a delta', [0, 0, 0, 0, new Uint8Array(1), -1, { codec: 'vp8' }]],
    ['a group start without configuration', [0, 1, 0, 0, new Uint8Array(1), -1]],
    ['a video key frame inside a group', [0, 1, 0, 0, new Uint8Array(1), 5, { codec: 'vp8' }]],
    ['a configuration without codec', [0, 1, 0, 0, new Uint8Array(1), -1, { codedWidth: 3 }]],
    ['a configuration with a bad size', [0, 1, 0, 0, new Uint8Array(1), -1, { codec: 'vp8', codedWidth: -3 }]],
    ['a description that is not bytes', [0, 1, 0, 0, new Uint8Array(1), -1, { codec: 'vp8', description: 'x' }]]
  ])('%s is not a frame', (_name, value) => {
    expect(readMediaFrame(value)).toBeUndefined()
  })
})
