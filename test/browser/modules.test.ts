// Pages with a <script type=module> and no bundler: each package's ES module build
// (dist/index.browser.js) imported by URL, socket.io's `io` from the ES module socket.io serves.
import wrtc from '@roamhq/wrtc'
import { describe, expect, test } from 'vitest'
import { Feed, createNodeEd25519 } from 'peer-tree-broadcast'
import { nextEvent, until } from '../helpers/wait.js'
import type { PageServer } from './helpers/page-server.js'
import { browserSuite } from './helpers/suite.js'

const page = (imports: string): string => `<!doctype html><meta charset="utf-8"><script type="module">
import { io } from '/socket.io/socket.io.esm.min.js'
${imports}
</script>`

const suite = browserSuite()
const { swarm } = suite
let server: PageServer

describe('the ES module builds in a <script type=module>', () => {
  test('peer-tree-broadcast: a page joins a Node source\'s feed, delivers every entry in order and verifies the log', async () => {
    server = await suite.server()
    server.page('feed.html', page(`import { Feed, verifyLog } from '/pkg/broadcast/index.browser.js'
window.lib = { io, Feed, verifyLog }`))
    const feed = await Feed.create(swarm.socket(server.url), { wrtc, ed25519: createNodeEd25519() })
    swarm.onClose(() => feed.close())
    const tab = await suite.browser.open(`${server.url}/feed.html`)
    await tab.page.waitForFunction(() => (window as any).lib !== undefined)
    await tab.page.evaluate(async (key) => {
      const w = window as any
      w.seqs = []
      w.sub = await w.lib.Feed.join(w.lib.io({ transports: ['websocket'] }), key)
      w.sub.on('entry', ({ seq }: { seq: number }) => { w.seqs.push(seq) })
    }, feed.key)
    const n = 40
    for (let i = 0; i < n; i++) await feed.append({ i })
    await tab.page.waitForFunction((n) => (window as any).seqs.length >= n, n)
    expect(await tab.page.evaluate(() => (window as any).seqs)).toEqual(Array.from({ length: n }, (_, i) => i))
    expect(await tab.page.evaluate(async () => {
      const w = window as any
      return (await w.lib.verifyLog(await w.sub.export(), w.sub.key)).ok
    })).toBe(true)
    expect(tab.errors).toEqual([])
  })

  test('peer-tree-client: a page joins a Node source\'s tree and receives every message; its upstream is a simple-peer', async () => {
    server = await suite.server()
    server.page('tree.html', page(`import PeerTreeClient from '/pkg/client/index.browser.js'
window.lib = { io, PeerTreeClient }`))
    const source = swarm.peer(server.url, { name: 'source' })
    const discovered = nextEvent<[string]>(source.client, 'discover')
    source.client.create()
    const [treeID] = await discovered
    const tab = await suite.browser.open(`${server.url}/tree.html`)
    await tab.page.waitForFunction(() => (window as any).lib !== undefined)
    await tab.page.evaluate((treeID) => {
      const w = window as any
      w.received = []
      const client = new w.lib.PeerTreeClient(w.lib.io({ transports: ['websocket'] }))
      client.on('upstreamPeer', (peer: any) => {
        w.pipes = typeof peer.pipe === 'function'
        peer.on('data', (d: Uint8Array) => { w.received.push(new TextDecoder().decode(d)) })
        w.upstream = true
      })
      client.connect(treeID)
    }, treeID)
    await tab.page.waitForFunction(() => (window as any).upstream === true)
    // The source writes only to links connected at its end too.
    await until(() => source.downstreams === 1, { what: 'the source\'s end of the link' })
    const sent = Array.from({ length: 50 }, (_, i) => `m${i}`)
    for (const m of sent) source.client.write(m)
    await tab.page.waitForFunction((n) => (window as any).received.length >= n, sent.length)
    expect(await tab.page.evaluate(() => (window as any).received)).toEqual(sent)
    expect(await tab.page.evaluate(() => (window as any).pipes)).toBe(true)
    expect(tab.errors).toEqual([])
  })
})
