// Video through a chain of pages (source → f1 → f2 → last, k = k1 = 1), with MediaRelay and
// with the code docs/media.md shows by hand. f1 is closed; f2 is re-placed under the source,
// and the last page's <video> keeps decoding frames: f2 swapped the new upstream's track into
// its existing sender in place, so the last page never renegotiated and saw no second
// 'stream' or 'track'.
import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { type TestPage } from './helpers/chromium.js'
import type { PageServer } from './helpers/page-server.js'
import { browserSuite } from './helpers/suite.js'

const PAGE = readFileSync(new URL('./fixtures/media-relay.html', import.meta.url), 'utf8')
const MEDIA_DOC = readFileSync(new URL('../../docs/media.md', import.meta.url), 'utf8')
/** Frames a page must decode after the repair (about 2 s of video at the source's rate). */
const MORE_FRAMES = 60
const WAIT = { timeout: 30_000 }
/** Four pages decoding video on a small shared machine: a bound on a hang, not a timing. */
const SLOW = { timeout: 120_000 }

/** The docs' code block that contains `marker`. */
function docBlock (marker: string): string {
  const block = [...MEDIA_DOC.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] as string).find((b) => b.includes(marker))
  if (block === undefined) throw new Error(`docs/media.md has no js block with ${marker}`)
  return block
}
const BY_HAND = { source: docBlock('peer.addStream(stream)'), forward: docBlock('replaceTrack(old, track, out)') }

const suite = browserSuite()
let server: PageServer

async function startPeer (treeID: string | null, byHand?: string, camera = false): Promise<TestPage> {
  const p = await suite.browser.open(`${server.url}/media.html`)
  await p.page.evaluate(async ({ url, treeID, byHand, camera }) => { await (window as any).start(url, treeID, byHand, camera) },
    { url: server.url, treeID, byHand, camera })
  return p
}

const state = async (p: TestPage): Promise<any> => await p.page.evaluate(() => {
  const { frameTimes: _f, swapTimes: _s, ...rest } = (window as any).state
  return { ...rest, stats: (window as any).relay?.stats }
})

const framesReach = async (p: TestPage, n: number): Promise<void> => {
  await p.page.waitForFunction((n) => (window as any).state.frames >= n, n, WAIT)
}

/** source → f1 → f2 → last, each playing before the next joins; returns them and their peer IDs. */
async function chain (byHand = false, camera = false): Promise<{ source: TestPage, f1: TestPage, f2: TestPage, last: TestPage, ids: string[] }> {
  server = await suite.server({ k: 1, k1: 1 })
  server.page('media.html', PAGE)
  const source = await startPeer(null, byHand ? BY_HAND.source : undefined, camera)
  await source.page.waitForFunction(() => (window as any).state.treeID !== null)
  const treeID = (await state(source)).treeID as string
  const joined: TestPage[] = []
  // One at a time, so that breadth-first placement with k = k1 = 1 makes a chain.
  for (let i = 0; i < 3; i++) {
    const p = await startPeer(treeID, byHand ? BY_HAND.forward : undefined)
    await framesReach(p, 10)
    joined.push(p)
  }
  const [f1, f2, last] = joined as [TestPage, TestPage, TestPage]
  const ids = await Promise.all([source, f1, f2].map(async (p) => (await state(p)).peerID as string))
  expect(await Promise.all([f1, f2, last].map(async (p) => (await state(p)).upstreamID))).toEqual(ids)
  return { source, f1, f2, last, ids }
}

describe('MediaRelay in pages', SLOW, () => {
  test('video goes on below a forwarding page that is re-placed after its upstream closes', async () => {
    const { source, f1, f2, last, ids } = await chain()

    await f1.close()
    // f2 is re-placed under the source and swaps the source's track into its sender to the last page.
    await f2.page.waitForFunction(() => (window as any).state.swaps.length >= 1, undefined, WAIT)
    const f2After = await state(f2)
    expect(f2After.upstreamID).toBe(ids[0])
    expect(f2After.swaps).toEqual([{ kind: 'video', senders: 1 }])
    // One sender was ever added on f2 (to the last page's link); the repair replaced its track.
    expect(f2After.stats).toEqual({ added: 1, replaced: 1 })

    await framesReach(last, (await state(last)).frames + MORE_FRAMES)
    // f2's own <video> plays the same stable stream, with the new track swapped in.
    await framesReach(f2, f2After.frames + MORE_FRAMES)

    // The last page was not moved and its link was not renegotiated: one 'stream', one 'track'.
    expect(await state(last)).toMatchObject({ discovers: 1, media: 1, swaps: [], streamEvents: 1, trackEvents: 1, upstreamID: ids[2] })
    for (const p of [source, f2, last]) {
      expect((await state(p)).relayErrors).toEqual([])
      expect(p.errors).toEqual([])
    }
  })

  test('a camera and a microphone: both tracks are swapped in place, the last page renegotiates nothing', async () => {
    const { source, f1, f2, last } = await chain(false, true)
    expect((await state(last)).trackEvents).toBe(2)
    await f1.close()
    await f2.page.waitForFunction(() => (window as any).state.swaps.length >= 2, undefined, WAIT)
    const f2After = await state(f2)
    expect(f2After.swaps.map((s: { kind: string }) => s.kind).sort()).toEqual(['audio', 'video'])
    expect(f2After.stats).toEqual({ added: 2, replaced: 2 })
    await framesReach(last, (await state(last)).frames + MORE_FRAMES)
    expect(await state(last)).toMatchObject({ discovers: 1, media: 1, streamEvents: 1, trackEvents: 2 })
    for (const p of [source, f2, last]) expect(p.errors).toEqual([])
  })

  test('pages that join at once, some before their upstream has media, all play', async () => {
    server = await suite.server({ k: 1, k1: 1 })
    server.page('media.html', PAGE)
    const source = await startPeer(null)
    await source.page.waitForFunction(() => (window as any).state.treeID !== null)
    const treeID = (await state(source)).treeID as string
    const joined = await Promise.all([0, 1, 2].map(async () => await startPeer(treeID)))
    for (const p of joined) await framesReach(p, 30)
    const states = await Promise.all(joined.map(state))
    // A chain: one page under the source, and each of the others under one of them.
    const sourceID = (await state(source)).peerID
    expect(states.filter((s) => s.upstreamID === sourceID)).toHaveLength(1)
    for (const s of states) expect(s).toMatchObject({ media: 1, streamEvents: 1, trackEvents: 1, relayErrors: [] })
    console.log(`downstream links that came up before their page had media: ${states.reduce((n, s) => n + s.linksBeforeMedia, 0)} of 2`)
    for (const p of [source, ...joined]) expect(p.errors).toEqual([])
  })
})

describe('the same by hand, as docs/media.md shows it', SLOW, () => {
  test('the docs\' upstreamPeer / downstreamPeer code keeps video going below a re-placed page', async () => {
    const { source, f1, f2, last, ids } = await chain(true)
    await f1.close()
    await f2.page.waitForFunction((id) => (window as any).state.upstreamID === id && (window as any).state.trackEvents >= 2, ids[0], WAIT)
    await framesReach(last, (await state(last)).frames + MORE_FRAMES)
    await framesReach(f2, (await state(f2)).frames + MORE_FRAMES)
    expect(await state(last)).toMatchObject({ discovers: 1, streamEvents: 1, trackEvents: 1, upstreamID: ids[2] })
    for (const p of [source, f2, last]) expect(p.errors).toEqual([])
  })
})
