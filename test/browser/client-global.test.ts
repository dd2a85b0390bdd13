// A page with script tags only (socket.io's client, then peer-tree-client's standalone build)
// joins a tree whose source is a Node peer, and gets every message in order.
import { describe, expect, test } from 'vitest'
import { nextEvent } from '../helpers/wait.js'
import type { PageServer } from './helpers/page-server.js'
import { browserSuite, CLIENT_SCRIPTS } from './helpers/suite.js'

const suite = browserSuite()
const { swarm } = suite
let server: PageServer

describe('the client global in a page', () => {
  test('pages join a Node source\'s tree and receive every message in order', async () => {
    server = await suite.server()
    server.page('join.html', `<!doctype html><meta charset="utf-8">${CLIENT_SCRIPTS}`)
    const source = swarm.peer(server.url, { name: 'source' })
    const discovered = nextEvent<[string]>(source.client, 'discover')
    source.client.create()
    const [treeID] = await discovered

    const pages = await Promise.all([0, 1, 2].map(async () => await suite.browser.open(`${server.url}/join.html`)))
    for (const { page } of pages) {
      await page.evaluate(({ url, treeID }) => {
        const w = window as any
        w.received = []
        const client = new w.PeerTreeClient(w.io(url, { transports: ['websocket'] }))
        client.on('upstreamPeer', (peer: any) => {
          w.upstream = true
          peer.on('data', (d: Uint8Array) => { w.received.push(new TextDecoder().decode(d)); client.write(d) })
        })
        client.connect(treeID)
      }, { url: server.url, treeID })
    }
    for (const { page } of pages) await page.waitForFunction(() => (window as any).upstream === true)

    const sent = Array.from({ length: 100 }, (_, i) => `m${i}`)
    for (const m of sent) source.client.write(m)
    for (const { page } of pages) {
      await page.waitForFunction((n) => (window as any).received.length >= n, sent.length)
      expect(await page.evaluate(() => (window as any).received)).toEqual(sent)
    }
    for (const p of pages) expect(p.errors).toEqual([])
  })
})
