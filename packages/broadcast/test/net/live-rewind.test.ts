/**
 * A live join that starts earlier than its first block: `rewind` reads that verified block
 * and names where the log starts; the blocks between are fetched, and delivery begins there.
 */
import { afterEach, describe, expect, test } from 'vitest'
import { mediaFrameEntry, readMediaFrame, startAtKeyFrame, type MediaFrame } from '../../src/video/media-frame.js'
import { MemorySwarm, range, seqs } from './memory-swarm.js'

let swarm: MemorySwarm | undefined
afterEach(() => { swarm?.close(); swarm = undefined })

const GROUP = 10

/** Appends video frames `from`..`to`-1, a key frame every GROUP; one frame per block. */
async function appendFrames (s: MemorySwarm, from: number, to: number, groups: Map<number, number>): Promise<void> {
  for (let n = from; n < to; n++) {
    const key = n % GROUP === 0
    const start = n - (n % GROUP)
    const frame: MediaFrame = {
      track: 'video',
      key,
      timestamp: n * 33_000,
      duration: 33_000,
      data: new Uint8Array([n]),
      group: key ? -1 : groups.get(start)!,
      ...(key && { config: { codec: 'vp8', codedWidth: 64, codedHeight: 48 } })
    }
    const { blockIndex } = await s.source.append(mediaFrameEntry(frame))
    if (key) groups.set(n, blockIndex)
  }
}

describe('a live join with rewind', () => {
  test('startAtKeyFrame: a newcomer mid-group starts at the latest key frame, not at its first block', async () => {
    const s = swarm = await MemorySwarm.start()
    const groups = new Map<number, number>()
    s.subscribe('a')
    s.link('source', 'a', 0)
    await appendFrames(s, 0, 33, groups)
    await s.delivered(['a'], 33)

    const late = s.subscribe('late', { from: 'live', rewind: startAtKeyFrame })
    s.link('a', 'late', 0)
    // Its first block is frame 33 or later, in the group that began at frame 30.
    await appendFrames(s, 33, 40, groups)
    await s.delivered(['late'], 10)
    expect(seqs(late)).toEqual(range(10).map((i) => 30 + i))
    const first = readMediaFrame(late.entries[0]!.data)
    expect(first?.key).toBe(true)
    expect(late.sub!.stats().backfilled).toBeGreaterThan(0)
  })

  test('a rewind past the first block, or too far back, is held to what a live join may do', async () => {
    const s = swarm = await MemorySwarm.start()
    s.subscribe('a')
    s.link('source', 'a', 0)
    for (let i = 0; i < 5; i++) await s.source.append({ i })
    await s.delivered(['a'], 5)
    const asked: number[] = []
    const ahead = s.subscribe('ahead', { from: 'live', rewind: ({ index }) => { asked.push(index); return index + 100 } })
    const before = s.subscribe('before', { from: 'live', rewind: () => -50 })
    s.link('a', 'ahead', 0)
    s.link('a', 'before', 0)
    for (let i = 5; i < 10; i++) await s.source.append({ i })
    await s.delivered(['ahead'], 5)
    await s.delivered(['before'], 10)
    // Later than its first block: the first block. Before the log's start: from block 0.
    expect(seqs(ahead)).toEqual(range(5).map((i) => asked[0]! + i))
    expect(seqs(before)).toEqual(range(10))
  })
})
