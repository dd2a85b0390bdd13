/** The player's rules: nothing before a group start, skip to the next one when behind, never skip forever. */
import { describe, expect, test } from 'vitest'
import type { MediaFrame } from '../../src/video/media-frame.js'
import { Playout, type PlayoutStep } from '../../src/video/playout.js'

const FRAME_MS = 33
const GROUP = 10
const config = { codec: 'vp8', codedWidth: 320, codedHeight: 240 }

/** Frame n of a stream with a key frame every GROUP frames. */
function frame (n: number): MediaFrame {
  const key = n % GROUP === 0
  return {
    track: 'video',
    key,
    timestamp: n * FRAME_MS * 1000,
    duration: FRAME_MS * 1000,
    data: new Uint8Array([n & 255]),
    group: key ? -1 : n - (n % GROUP),
    ...(key && { config })
  }
}

/** Offers frames `from`..`to`, frame n arriving at `arrival(n)`; returns the frames decoded. */
function play (p: Playout, from: number, to: number, arrival: (n: number) => number, queue = 0): number[] {
  const decoded: number[] = []
  for (let n = from; n <= to; n++) if (p.offer(frame(n), arrival(n), queue).decode) decoded.push(n)
  return decoded
}

const onTime = (n: number): number => 5_000 + n * FRAME_MS

describe('Playout', () => {
  test('a newcomer mid-group decodes nothing until the next group start, and configures there', () => {
    const p = new Playout()
    const steps: PlayoutStep[] = []
    for (let n = 4; n <= 12; n++) steps.push(p.offer(frame(n), onTime(n), 0))
    expect(steps.slice(0, 6)).toEqual(Array(6).fill({ decode: false, reason: 'before-group' }))
    expect(steps[6]).toEqual({ decode: true, configure: config })
    expect(steps.slice(7)).toEqual([{ decode: true }, { decode: true }])
    expect(p.stats).toMatchObject({ decoded: 3, skippedBeforeGroup: 6, skippedBehind: 0, fellBehind: 0 })
  })

  test('a key frame with the same configuration does not reconfigure; a new one does', () => {
    const p = new Playout()
    expect(p.offer(frame(0), onTime(0), 0)).toEqual({ decode: true, configure: config })
    expect(p.offer(frame(10), onTime(10), 0)).toEqual({ decode: true })
    const bigger = { ...frame(20), config: { ...config, codedWidth: 640 } }
    expect(p.offer(bigger, onTime(20), 0)).toEqual({ decode: true, configure: bigger.config })
  })

  test('frames that come late skip to the next group start, and play from there', () => {
    const p = new Playout({ maxLagMs: 500 })
    expect(play(p, 0, 14, onTime)).toHaveLength(15)
    // Frames 15 to 34 stall for 2 s, then arrive at once (a repair); 35 on are live again.
    const arrival = (n: number): number => n < 35 ? Math.max(onTime(n), onTime(15) + 2000) : onTime(n)
    const decoded = play(p, 15, 45, arrival)
    // Frames up to the stall's last 500 ms are skipped, up to the next group start that is on time.
    expect(decoded[0]).toBe(40)
    expect(decoded).toEqual(Array.from({ length: 6 }, (_, i) => 40 + i))
    expect(p.stats.fellBehind).toBe(1)
  })

  test('a decoder that cannot keep up skips to the next group start', () => {
    const p = new Playout({ maxDecodeQueue: 5 })
    play(p, 0, 3, onTime)
    expect(p.offer(frame(4), onTime(4), 6)).toEqual({ decode: false, reason: 'behind' })
    expect(play(p, 5, 10, onTime)).toEqual([10])
  })

  test('a lag that lasts a whole group becomes the new normal instead of skipping forever', () => {
    const p = new Playout({ maxLagMs: 500 })
    play(p, 0, 9, onTime)
    // From frame 10 on, every frame takes 3 s longer to come (a slower path, for good).
    const decoded = play(p, 10, 40, (n) => onTime(n) + 3000)
    expect(decoded[0]).toBe(20)
    expect(decoded).toHaveLength(21)
    expect(p.stats.fellBehind).toBe(1)
  })

  test('after a decoder reset nothing decodes before the next group start, which configures again', () => {
    const p = new Playout()
    play(p, 0, 3, onTime)
    p.decoderReset()
    expect(p.offer(frame(4), onTime(4), 0)).toEqual({ decode: false, reason: 'before-group' })
    expect(p.offer(frame(10), onTime(10), 0)).toEqual({ decode: true, configure: config })
  })

  test('bad options are refused', () => {
    expect(() => new Playout({ maxLagMs: 0 })).toThrow(RangeError)
    expect(() => new Playout({ maxDecodeQueue: Number.NaN })).toThrow(RangeError)
  })
})
