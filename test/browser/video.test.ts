// Video as signed feed entries, in Chromium: a canvas source page paints its frame counter as a
// barcode, encodes with WebCodecs and appends each chunk; player pages decode what their
// subscriber verified and read the counter back out of every decoded picture. A decoded frame
// "matches" when the barcode in its pixels is the counter the source painted into the frame
// of that timestamp: the picture is the source's, for that moment.
import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { type TestPage } from './helpers/chromium.js'
import type { PageServer } from './helpers/page-server.js'
import { browserSuite } from './helpers/suite.js'

const PAGE = readFileSync(new URL('./fixtures/video.html', import.meta.url), 'utf8')
const FPS = 30
const KEY_FRAME_MS = 1000
/** Frames of one group: the most a newcomer skips before its first key frame. */
const GROUP_FRAMES = FPS * KEY_FRAME_MS / 1000
const WAIT = { timeout: 45_000 }
/** Several pages encoding and decoding video on a small shared machine: a bound on a hang, not a timing. */
const SLOW = { timeout: 180_000 }

interface Painted { n: number, timestamp: number, at: number }
interface Decoded { seq: number, timestamp: number, key: boolean, read: number, at: number }
interface PageState { painted: Painted[], decoded: Decoded[], skipped: number, errors: string[], joinedAt: number, chunks: number }

const suite = browserSuite()
let server: PageServer

const stateOf = async (p: TestPage): Promise<PageState> => await p.page.evaluate(() => (window as any).state)

async function startSource (opts: { trees: number, k: number, k1: number }): Promise<{ page: TestPage, key: string }> {
  server = await suite.server({ k: opts.k, k1: opts.k1 })
  server.page('video.html', PAGE)
  const page = await suite.browser.open(`${server.url}/video.html`)
  const key = await page.page.evaluate(async ({ url, opts }) => await (window as any).startSource(url, opts),
    { url: server.url, opts: { ...opts, fps: FPS, keyFrameIntervalMs: KEY_FRAME_MS, bitrate: 400_000 } })
  return { page, key }
}

async function startPlayer (key: string): Promise<{ page: TestPage, ids: string[] }> {
  const page = await suite.browser.open(`${server.url}/video.html`)
  const ids = await page.page.evaluate(async ({ url, key }) => await (window as any).startPlayer(url, key), { url: server.url, key })
  return { page, ids }
}

/** Waits until `p` decoded `n` more frames than it had. */
async function decodesMore (p: TestPage, n: number): Promise<void> {
  const had = (await stateOf(p)).decoded.length
  await p.page.waitForFunction((want) => (window as any).state.decoded.length >= want, had + n, WAIT)
}

/** Each decoded frame against the counter the source painted at that timestamp. */
function mismatches (decoded: Decoded[], painted: Painted[]): Decoded[] {
  const byTimestamp = new Map(painted.map((p) => [p.timestamp, p.n]))
  return decoded.filter((d) => byTimestamp.get(d.timestamp) !== d.read)
}

/** The member each peer hangs under, per tree, from the server's own view. */
async function parents (key: string, trees: number): Promise<Array<Map<string, string | null>>> {
  const out: Array<Map<string, string | null>> = []
  for (let t = 0; t < trees; t++) {
    const snap = await server.treeServer.snapshot(`${key}.${t}`)
    const parent = new Map<string, string | null>()
    for (const p of snap?.peers ?? []) for (const c of p.children) parent.set(c, p.peerID)
    out.push(parent)
  }
  return out
}

describe('video over a feed, in pages', SLOW, () => {
  test('through two forwarding pages, the last page decodes every frame it gets as the source painted it', async () => {
    const { page: source, key } = await startSource({ trees: 1, k: 1, k1: 1 })
    // One at a time, so that breadth-first placement with k = k1 = 1 makes a chain.
    const players = []
    for (let i = 0; i < 3; i++) {
      const p = await startPlayer(key)
      await decodesMore(p.page, 5)
      players.push(p)
    }
    const [f1, f2, last] = players as [typeof players[0], typeof players[0], typeof players[0]]
    const [tree] = await parents(key, 1)
    expect(tree!.get(last.ids[0]!)).toBe(f2.ids[0])
    expect(tree!.get(f2.ids[0]!)).toBe(f1.ids[0])

    await decodesMore(last.page, 3 * FPS)
    const states = await Promise.all(players.map(async (p) => await stateOf(p.page)))
    // Read after the players: every frame they decoded was painted by then.
    const painted = (await stateOf(source)).painted
    for (const s of states) {
      expect(s.decoded.length).toBeGreaterThan(0)
      expect(mismatches(s.decoded, painted)).toEqual([])
      // A newcomer's first picture is a key frame, after at most one group of skipped deltas.
      expect(s.decoded[0]!.key).toBe(true)
      expect(s.skipped).toBeLessThan(GROUP_FRAMES)
      expect(s.errors).toEqual([])
    }
    expect((await stateOf(source)).errors).toEqual([])
  })
})
