// A feed's pages run DataPeer (the browser's own RTCPeerConnection) and its Node members run
// simple-peer over @roamhq/wrtc: they interoperate both ways. The source takes one child per
// tree, so the first page takes every source slot and the Node subscriber that joins next
// hangs below the page (in its own home tree it takes the page's place and the page hangs
// below it): the page is a DataPeer initiator towards the source and a DataPeer answerer
// towards the Node subscriber, and relays blocks down. The Node subscriber joins after the
// first entries, so it asks for them (WANT) and is answered: data flows up and down.
import wrtc from '@roamhq/wrtc'
import { describe, expect, test } from 'vitest'
import { Feed, createNodeEd25519 } from 'peer-tree-broadcast'
import { until } from '../helpers/wait.js'
import type { PageServer } from './helpers/page-server.js'
import { browserSuite, FEED_SCRIPTS } from './helpers/suite.js'

const TREES = 3

const suite = browserSuite()
const { swarm } = suite

/** A page at `url` that joins feed `key` as a subscriber and keeps the seqs of its entries in `window.seqs`. */
async function subscriberTab (url: string, key: string): Promise<Awaited<ReturnType<typeof suite.browser.open>>> {
  const tab = await suite.browser.open(url)
  await tab.page.evaluate(async (k) => {
    const w = window as any
    w.seqs = []
    w.sub = await w.PeerTreeBroadcast.Feed.join(w.io({ transports: ['websocket'] }), k)
    w.sub.on('entry', ({ seq }: { seq: number }) => { w.seqs.push(seq) })
  }, key)
  return tab
}
let server: PageServer

describe('pages on DataPeer and Node peers on simple-peer in one feed', () => {
  test('a page relays a Node source\'s feed to a Node subscriber below it, history and live entries', async () => {
    server = await suite.server()
    server.page('feed.html', `<!doctype html><meta charset="utf-8">${FEED_SCRIPTS}`)
    const ed25519 = createNodeEd25519()
    const feed = await Feed.create(swarm.socket(server.url), { wrtc, ed25519, trees: TREES, k: 2, k1: 1 })
    swarm.onClose(() => feed.close())

    const tab = await subscriberTab(`${server.url}/feed.html`, feed.key)
    const pageIDs = async (): Promise<Array<string | null>> => await tab.page.evaluate(() => (window as any).sub.forest.clients.map((c: any) => c.peerID))
    await tab.page.waitForFunction((m) => (window as any).sub.forest.upstreams().length === m, TREES)

    const first = 20
    for (let i = 0; i < first; i++) await feed.append({ i })
    await tab.page.waitForFunction((n) => (window as any).seqs.length >= n, first)

    const nodeSub = await Feed.join(swarm.socket(server.url), feed.key, { wrtc, ed25519 })
    swarm.onClose(() => nodeSub.close())
    const nodeSeqs: number[] = []
    nodeSub.on('entry', ({ seq }) => { nodeSeqs.push(seq) })
    await until(() => nodeSub.forest.upstreams().length === TREES, { what: 'the Node subscriber linked up in every tree' })

    // In every tree one of the two hangs below the other: the page holds the source's one
    // slot, except where the Node subscriber is a relay and the page a leaf (a relay displaces
    // a leaf, which then hangs below it). In at least the page's home tree the Node subscriber
    // is below the page.
    const ids = await pageIDs()
    const below: string[] = []
    for (let t = 0; t < TREES; t++) {
      const snap = await server.treeServer.snapshot(`${feed.key}.${t}`)
      const parentOf = (id: string | null | undefined): string | null | undefined => snap?.peers.find((p) => p.peerID === id)?.parent
      const node = nodeSub.forest.clients[t]?.peerID
      if (parentOf(node) === ids[t]) below.push('node below page')
      else if (parentOf(ids[t]) === node) below.push('page below node')
      else below.push('apart')
    }
    expect(below).not.toContain('apart')
    expect(below).toContain('node below page')

    const total = 40
    for (let i = first; i < total; i++) await feed.append({ i })
    const all = Array.from({ length: total }, (_, i) => i)
    await until(() => nodeSeqs.length >= total, { what: 'every entry at the Node subscriber', describe: () => nodeSeqs.join(',') })
    expect(nodeSeqs).toEqual(all)
    await tab.page.waitForFunction((n) => (window as any).seqs.length >= n, total)
    expect(await tab.page.evaluate(() => (window as any).seqs)).toEqual(all)
    expect(tab.errors).toEqual([])
  })
  test('two pages link to each other over DataPeer (one below the other in every tree) and both deliver every entry', async () => {
    server = await suite.server()
    server.page('feed.html', `<!doctype html><meta charset="utf-8">${FEED_SCRIPTS}`)
    const feed = await Feed.create(swarm.socket(server.url), { wrtc, ed25519: createNodeEd25519(), trees: TREES, k: 2, k1: 1 })
    swarm.onClose(() => feed.close())
    const tabs = []
    for (let i = 0; i < 2; i++) {
      const tab = await subscriberTab(`${server.url}/feed.html`, feed.key)
      await tab.page.waitForFunction((m) => (window as any).sub.forest.upstreams().length === m, TREES)
      tabs.push(tab)
    }
    // The source has one slot per tree, so in every tree one page hangs below the other.
    const ids = await Promise.all(tabs.map(async (t) => await t.page.evaluate(() => (window as any).sub.forest.clients.map((c: any) => c.peerID))))
    for (let t = 0; t < TREES; t++) {
      const snap = await server.treeServer.snapshot(`${feed.key}.${t}`)
      const parents = [0, 1].map((i) => snap?.peers.find((p) => p.peerID === ids[i]?.[t])?.parent)
      expect(parents[0] === ids[1]?.[t] || parents[1] === ids[0]?.[t], `tree ${t}`).toBe(true)
    }
    const n = 30
    for (let i = 0; i < n; i++) await feed.append({ i })
    for (const tab of tabs) {
      await tab.page.waitForFunction((n) => (window as any).seqs.length >= n, n)
      expect(await tab.page.evaluate(() => (window as any).seqs)).toEqual(Array.from({ length: n }, (_, i) => i))
      expect(tab.errors).toEqual([])
    }
  })
})
