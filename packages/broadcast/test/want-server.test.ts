// WantServer with a stand-in link: what one downstream peer can make this peer send, read and remember.
import { describe, expect, it } from 'vitest'
import type { FeedLink } from '../src/net/feed-link.js'
import { WantServer, type WantServerHost } from '../src/net/want-server.js'

interface FakeLink { sent: Uint8Array[], closed: boolean, send: (b: Uint8Array) => boolean, close: () => void }
function fakeLink (): FakeLink {
  const link: FakeLink = {
    sent: [],
    closed: false,
    send: (b) => { if (link.closed) return false; link.sent.push(b); return true },
    close: () => { link.closed = true }
  }
  return link
}

function host (over: Partial<WantServerHost> = {}): WantServerHost & { missed: number[][], dropped: number, reads: number } {
  const h = {
    missed: [] as number[][],
    dropped: 0,
    reads: 0,
    highest: () => 999,
    cached: (i: number) => (i < 100 ? new Uint8Array(1_000) : undefined),
    stored: (i: number) => { h.reads++; return i < 500 ? new Uint8Array(1_000) : undefined },
    missing: (_l: FeedLink, indices: number[]) => { h.missed.push(indices) },
    abusive: () => { h.dropped++ },
    report: (err: unknown) => { throw err },
    ...over
  }
  return h
}

const settle = async (): Promise<void> => { for (let i = 0; i < 50; i++) await new Promise((resolve) => setTimeout(resolve, 0)) }

describe('WantServer', () => {
  it('ignores what lies past its verified highest: nothing sent, read, or asked further up', async () => {
    const h = host({ highest: () => 9 })
    const server = new WantServer(h, 64)
    const link = fakeLink()
    server.onWant(link as unknown as FeedLink, 1e9, 1e9 + 63)
    server.onWant(link as unknown as FeedLink, 5, 200)
    await settle()
    expect(link.sent).toHaveLength(5) // 5..9
    expect(h.reads).toBe(0)
    expect(h.missed).toEqual([])
    expect(server.stats).toMatchObject({ served: 5, ignored: 1, refused: 0 })
  })

  it('answers from the cache at once and the rest through the link\'s one reader; what it lacks goes further up, sorted', async () => {
    const h = host()
    const server = new WantServer(h, 64)
    const link = fakeLink()
    server.onWant(link as unknown as FeedLink, 90, 153) // 10 cached, 54 to read
    expect(link.sent.length).toBeLessThanOrEqual(10 + 8) // at most one slice read in the WANT's own turn
    server.onWant(link as unknown as FeedLink, 480, 543) // 20 to read, 44 it lacks
    expect(server.queued(link as unknown as FeedLink)).toBeGreaterThan(0)
    await settle()
    expect(link.sent).toHaveLength(10 + 54 + 20)
    expect(h.missed.flat()).toEqual(Array.from({ length: 44 }, (_, i) => 500 + i))
  })

  it('a flood is refused past the budget and the link dropped; what it got is bounded by the burst', async () => {
    const h = host()
    const server = new WantServer(h, 64, { blocksPerSecond: 1, blockBurst: 640, bytesPerSecond: 1, byteBurst: 1e9, refusalsToDrop: 16, refusalWindowMs: 10_000 })
    const link = fakeLink()
    for (let i = 0; i < 10_000 && !link.closed; i++) server.onWant(link as unknown as FeedLink, 0, 63)
    expect(link.closed).toBe(true)
    expect(h.dropped).toBe(1)
    expect(link.sent).toHaveLength(640) // 10 WANTs of 64; the 16 refused after them cost nothing
    expect(server.stats.refused).toBe(16)
  })
})
