// A page with script tags only (socket.io's client, then peer-tree-client's standalone build)
// joins a tree whose source is a Node peer, and gets every message in order.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { Swarm } from '../helpers/swarm.js'
import { nextEvent } from '../helpers/wait.js'
import { TestBrowser } from './helpers/chromium.js'
import { startPageServer, type PageServer } from './helpers/page-server.js'

const SCRIPTS = '<script src="/socket.io/socket.io.js"></script><script src="/pkg/client/index.global.js"></script>'

let browser: TestBrowser
let server: PageServer
const swarm = new Swarm()

beforeAll(async () => { browser = await TestBrowser.launch() })
afterAll(async () => { await browser.close() })
afterEach(async () => {
  await swarm.close()
  await server?.close()
})

describe('the client global in a page', () => {
  test('pages join a Node source\'s tree and receive every message in order', async () => {
    server = await startPageServer()
    server.page('join.html', `<!doctype html><meta charset="utf-8">${SCRIPTS}`)
    const source = swarm.peer(server.url, { name: 'source' })
    const discovered = nextEvent<[string]>(source.client, 'discover')
    source.client.create()
    const [treeID] = await discovered

    const pages = await Promise.all([0, 1, 2].map(async () => await browser.open(`${server.url}/join.html`)))
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
