// Video as signed feed entries, in Chromium: a canvas source page paints its frame counter as a
// barcode, encodes with WebCodecs and appends each chunk; player pages decode what their
// subscriber verified and read the counter back out of every decoded picture. A decoded frame
// "matches" when the barcode in its pixels is the counter the source painted into the frame
// of that timestamp: the picture is the source's, for that moment.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { type TestPage } from './helpers/chromium.js'
import type { PageServer } from './helpers/page-server.js'
import { browserSuite } from './helpers/suite.js'

const PAGE = readFileSync(new URL('./fixtures/video.html', import.meta.url), 'utf8')
const FPS = 30
const KEY_FRAME_MS = 1000
const WAIT = { timeout: 45_000 }
/** Several pages encoding and decoding video on a small shared machine: a bound on a hang, not a timing. */
const SLOW = { timeout: 180_000 }

interface Painted { n: number, timestamp: number, at: number }
interface Decoded { seq: number, timestamp: number, key: boolean, read: number, at: number }
interface PageState { painted: Painted[], keys: number[], audioSent: number[], audio: Array<{ timestamp: number, frames: number, rate: number }>, decoded: Decoded[], skipped: number, errors: string[], joinedAt: number, chunks: number }

const suite = browserSuite()
let server: PageServer

const stateOf = async (p: TestPage): Promise<PageState> => await p.page.evaluate(() => (window as any).state)

async function startSource (opts: { trees: number, k: number, k1: number, audio?: boolean }): Promise<{ page: TestPage, key: string }> {
  server = await suite.server({ k: opts.k, k1: opts.k1 })
  server.page('video.html', PAGE)
  server.mount('fixtures', fileURLToPath(new URL('./fixtures/', import.meta.url)))
  const page = await suite.browser.open(`${server.url}/video.html`)
  const key = await page.page.evaluate(async ({ url, opts }) => await (window as any).startSource(url, opts),
    { url: server.url, opts: { ...opts, fps: FPS, keyFrameIntervalMs: KEY_FRAME_MS, bitrate: 400_000 } })
  return { page, key }
}

async function startPlayer (key: string, opts: { audio?: boolean, element?: boolean } = {}): Promise<{ page: TestPage, ids: string[] }> {
  const page = await suite.browser.open(`${server.url}/video.html`)
  const ids = await page.page.evaluate(async ({ url, key, opts }) => await (window as any).startPlayer(url, key, opts), { url: server.url, key, opts })
  return { page, ids }
}

/** Waits until `p` decoded `n` more frames than it had. */
async function decodesMore (p: TestPage, n: number): Promise<void> {
  const had = (await stateOf(p)).decoded.length
  try {
    await p.page.waitForFunction((want) => (window as any).state.decoded.length >= want, had + n, WAIT)
  } catch (err) {
    // Say where the page stands: what its subscriber and player saw.
    const where = await p.page.evaluate(() => {
      const w = window as any
      return { decoded: w.state.decoded.length, sub: w.sub?.stats(), player: w.player?.stats(), errors: w.state.errors }
    }).catch(() => 'the page is gone')
    throw new Error(`decoded ${n} more frames? ${JSON.stringify(where)}; console: ${p.console.slice(-5).join(' | ')}`, { cause: err })
  }
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

/** The peers above `id` in one tree, nearest first (the source's own member last). */
function ancestors (parent: Map<string, string | null>, id: string): string[] {
  const out: string[] = []
  for (let p = parent.get(id); p !== undefined && p !== null; p = parent.get(p)) out.push(p)
  return out
}

interface Player { page: TestPage, ids: string[] }

/**
 * A source and `n` players, each decoding before the next joins: with k = k1 = 1 (the
 * default) each tree is a chain of pages.
 */
async function swarmOf (trees: number, n: number, k = 1): Promise<{ source: TestPage, key: string, players: Player[] }> {
  const { page: source, key } = await startSource({ trees, k, k1: k })
  const players: Player[] = []
  for (let i = 0; i < n; i++) {
    const p = await startPlayer(key)
    await decodesMore(p.page, 5)
    players.push(p)
  }
  return { source, key, players }
}

describe('video over a feed, in pages', SLOW, () => {
  test('through two forwarding pages, the last page decodes every frame it gets as the source painted it, and plays them in a <video>', async () => {
    const { page: source, key } = await startSource({ trees: 1, k: 1, k1: 1 })
    // One at a time, so that breadth-first placement with k = k1 = 1 makes a chain.
    const players = []
    for (let i = 0; i < 3; i++) {
      // The last page plays into a <video> through player.track as well.
      const p = await startPlayer(key, { element: i === 2 })
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
      // A newcomer's first picture is a key frame, and nothing was skipped before it.
      expect(s.decoded[0]!.key).toBe(true)
      expect(s.skipped).toBe(0)
      expect(s.errors).toEqual([])
    }
    expect((await stateOf(source)).errors).toEqual([])
    await last.page.page.waitForFunction(() => (window as any).state.presented > 0, undefined, WAIT)
  })

  test('the middle forwarding page closes: the last page keeps decoding through the other tree, no frame corrupted', async () => {
    const { source, key, players } = await swarmOf(2, 4)
    const trees = await parents(key, 2)
    // A page `last` with a forwarding page `middle` above it in one tree (two pages deep at
    // least) that is not above it in the other tree: closing `middle` leaves that tree whole.
    const pageOf = (id: string): Player | undefined => players.find((p) => p.ids.includes(id))
    let pick: { last: Player, middle: Player } | undefined
    for (const last of players) {
      for (let t = 0; t < 2 && pick === undefined; t++) {
        const above = ancestors(trees[t]!, last.ids[t]!).map(pageOf).filter((p) => p !== undefined)
        const otherAbove = ancestors(trees[1 - t]!, last.ids[1 - t]!).map(pageOf)
        const middle = above.length >= 2 ? above.find((m) => !otherAbove.includes(m)) : undefined
        if (middle !== undefined) pick = { last, middle }
      }
    }
    if (pick === undefined) throw new Error(`no page has a forwarding page above it in one tree only: ${JSON.stringify(trees.map((m) => [...m]))}`)
    const { last, middle } = pick

    await middle.page.close()
    await decodesMore(last.page, 2 * FPS)
    const rest = players.filter((p) => p !== middle)
    for (const p of rest) await decodesMore(p.page, FPS)
    const states = await Promise.all(rest.map(async (p) => await stateOf(p.page)))
    const painted = (await stateOf(source)).painted
    for (const s of states) {
      expect(mismatches(s.decoded, painted)).toEqual([])
      expect(s.errors).toEqual([])
    }
  })

  test('a page that alters what it relays: no altered frame is decoded anywhere, the others keep playing', async () => {
    const { source, key, players } = await swarmOf(2, 4, 2)
    const trees = await parents(key, 2)
    // With two children per member a page it cut off finds a place elsewhere (in a chain the
    // only free slot would be under it again). The hostile page is one with children.
    const hostile = players.find((p) => p.ids.some((id, t) => [...trees[t]!.values()].includes(id)))!
    await hostile.page.page.evaluate(() => { (window as any).alterWhatIRelay() })
    const honest = players.filter((p) => p !== hostile)
    for (const p of honest) await decodesMore(p.page, 2 * FPS)

    const altered = await hostile.page.page.evaluate(() => (window as any).altered as number)
    expect(altered).toBeGreaterThan(0)
    const states = await Promise.all(honest.map(async (p) => await stateOf(p.page)))
    const invalid = await Promise.all(honest.map(async (p) => await p.page.page.evaluate(() => (window as any).sub.stats().invalid as number)))
    const painted = (await stateOf(source)).painted
    for (const s of states) {
      expect(mismatches(s.decoded, painted)).toEqual([])
      expect(s.errors).toEqual([])
    }
    // Its altered blocks reached honest pages and were refused there.
    expect(invalid.reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
  })

  test('a late joiner starts at the latest key frame: not at the beginning, not mid-group', async () => {
    const { source, key } = await swarmOf(1, 1)
    // The stream has run for a few groups when the newcomer joins.
    await source.page.waitForFunction((n) => (window as any).state.keys.length >= n, 3, WAIT)
    const late = await startPlayer(key)
    await decodesMore(late.page, FPS)
    const s = await stateOf(late.page)
    const src = await stateOf(source)
    // The key frames painted before it joined; its first picture is the last of them or a later one.
    const paintedAt = new Map(src.painted.map((p) => [p.timestamp, p.at]))
    const keysBefore = src.keys.filter((ts) => paintedAt.get(ts)! <= s.joinedAt)
    expect(keysBefore.length).toBeGreaterThanOrEqual(3)
    const first = s.decoded[0]!
    expect(first.key).toBe(true)
    expect(src.keys).toContain(first.timestamp)
    expect(first.timestamp).toBeGreaterThanOrEqual(keysBefore.at(-1)!)
    // It did not wait for a group start: the first block it got was rewound to its group's key frame.
    expect(s.skipped).toBe(0)
    expect(mismatches(s.decoded, src.painted)).toEqual([])
  })

  test('a stream with audio: the player decodes the source\'s Opus chunks beside its frames', async () => {
    const { page: source, key } = await startSource({ trees: 1, k: 1, k1: 1, audio: true })
    const player = await startPlayer(key, { audio: true })
    await decodesMore(player.page, FPS)
    await player.page.page.waitForFunction(() => (window as any).state.audio.length >= 50, undefined, WAIT)
    const s = await stateOf(player.page)
    const sent = new Set((await stateOf(source)).audioSent)
    // It starts at a chunk the source encoded and plays on without a hole: each block of
    // samples (20 ms) starts within 25 ms of the one before (a lost block would leave 40) and
    // within 20 ms of a chunk the source sent (Opus's decoder trims a few samples at the start,
    // so its timestamps shift a little).
    expect(sent.has(s.audio[0]!.timestamp)).toBe(true)
    const sentTimes = [...sent]
    const holes = s.audio.slice(1).filter((a, i) => Math.abs(a.timestamp - s.audio[i]!.timestamp) > 25_000)
    const strays = s.audio.filter((a) => !sentTimes.some((t) => Math.abs(t - a.timestamp) <= 20_000))
    expect(holes).toEqual([])
    expect(strays).toEqual([])
    expect(s.audio[0]!.rate).toBe(48_000)
    expect(s.errors).toEqual([])
    // The pictures came through a captured track (its own timestamps): each one is whole.
    expect(s.decoded.filter((d) => d.read < 0)).toEqual([])
  })
})
