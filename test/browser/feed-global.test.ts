// A page with script tags only (socket.io's client, then peer-tree-broadcast's standalone
// build, the global PeerTreeBroadcast) joins a feed whose source is a Node peer, gets every
// entry in order and verifies the log in the page.
import wrtc from '@roamhq/wrtc'
import { describe, expect, test } from 'vitest'
import { Feed, createNodeEd25519 } from 'peer-tree-broadcast'
import type { PageServer } from './helpers/page-server.js'
import { browserSuite, FEED_SCRIPTS } from './helpers/suite.js'

const suite = browserSuite()
const { swarm } = suite
let server: PageServer

describe('the feed global in a page', () => {
  test('a page joins a Node source\'s feed, delivers every entry in order and verifies the log', async () => {
    server = await suite.server()
    server.page('feed.html', `<!doctype html><meta charset="utf-8">${FEED_SCRIPTS}`)
    const feed = await Feed.create(swarm.socket(server.url), { wrtc, ed25519: createNodeEd25519() })
    swarm.onClose(() => feed.close())

    const tab = await suite.browser.open(`${server.url}/feed.html`)
    await tab.page.evaluate(async ({ url, key }) => {
      const w = window as any
      w.seqs = []
      const sub = await w.PeerTreeBroadcast.Feed.join(w.io(url, { transports: ['websocket'] }), key)
      sub.on('entry', ({ seq }: { seq: number }) => { w.seqs.push(seq) })
      w.sub = sub
    }, { url: server.url, key: feed.key })

    const n = 50
    for (let i = 0; i < n; i++) await feed.append({ i })
    await tab.page.waitForFunction((n) => (window as any).seqs.length >= n, n)
    expect(await tab.page.evaluate(() => (window as any).seqs)).toEqual(Array.from({ length: n }, (_, i) => i))
    const report = await tab.page.evaluate(async () => {
      const w = window as any
      const r = await w.PeerTreeBroadcast.verifyLog(await w.sub.export(), w.sub.key)
      return { ok: r.ok, blocks: r.blocks ?? r.length }
    })
    expect(report.ok).toBe(true)
    expect(tab.errors).toEqual([])
  })
})
