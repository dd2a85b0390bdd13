// The demo server over real socket.io (no browser): it serves the pages' files and nothing
// else, lists live feeds, pushes a feed's forest model to a watcher when its trees change and
// when a peer reports, and drops malformed reports as values.
import { afterEach, describe, expect, test } from 'vitest'
import { Feed, createNodeEd25519 } from 'peer-tree-broadcast'
import type { ForestModel } from '../../scripts/lib/forest-model.mjs'
import { startDemoServer, type DemoServer } from '../../scripts/lib/demo-server.mjs'
import { reportDelivery } from '../../scripts/pages/delivery-report.mjs'
import { Swarm } from '../helpers/swarm.js'
import { nextEvent, until } from '../helpers/wait.js'

const swarm = new Swarm()
let server: DemoServer | undefined
afterEach(async () => {
  await swarm.close()
  await server?.close()
  server = undefined
})

describe('the demo server', () => {
  test('serves the pages, the feed global and d3-hierarchy, and no other file', async () => {
    const demo = server = await startDemoServer()
    const get = async (path: string): Promise<[number, string]> => {
      const res = await fetch(`${demo.url}${path}`)
      await res.arrayBuffer()
      return [res.status, res.headers.get('content-type') ?? '']
    }
    expect(await get('/')).toEqual([200, 'text/html; charset=utf-8'])
    expect(await get('/tree.html')).toEqual([200, 'text/html; charset=utf-8'])
    expect(await get('/video.html')).toEqual([200, 'text/html; charset=utf-8'])
    for (const path of ['/pages/video-page.mjs', '/pkg/broadcast/video.global.js', '/pages/feed-page.mjs', '/pages/tree-page.mjs', '/pages/tree-layout.mjs', '/pages/delivery-report.mjs', '/lib/d3-hierarchy.mjs', '/pkg/broadcast/index.global.js', '/socket.io/socket.io.js']) {
      expect((await get(path))[0], path).toBe(200)
    }
    for (const path of ['/pages/../../package.json', '/pages/forest-model.mjs', '/scripts/demo.mjs', '/pages/delivery-report.d.mts']) {
      expect((await get(path))[0], path).toBe(404)
    }
  })

  test('lists live feeds, pushes the forest on tree changes and reports, drops malformed reports', async () => {
    const demo = server = await startDemoServer()
    const viewer = swarm.socket(`${demo.url}/demo`)
    const [initial] = await nextEvent<[string[]]>(viewer, 'demo:feeds')
    expect(initial).toEqual([])

    const sourceSocket = swarm.socket(demo.url)
    const listed = nextEvent<[string[]]>(viewer, 'demo:feeds', { filter: (keys: string[]) => keys.length === 1 })
    const feed = await Feed.create(sourceSocket, { ed25519: createNodeEd25519(), trees: 3 })
    swarm.onClose(() => feed.close())
    expect((await listed)[0]).toEqual([feed.key])

    // Watch: the model comes at once, then again each time something changes.
    const models: ForestModel[] = []
    viewer.on('demo:forest', (m: ForestModel) => models.push(m))
    viewer.emit('demo:watch', feed.key)
    await until(() => models.length > 0, { what: 'the first model' })
    expect(models[0]?.trees.map((t) => [t.index, t.exists, t.nodes.length, t.nodes[0]?.role])).toEqual([[0, true, 1, 'source'], [1, true, 1, 'source'], [2, true, 1, 'source']])
    expect(models[0]?.head).toBeNull()

    const reporter = reportDelivery(sourceSocket, feed, { key: feed.key, name: 'source', source: true })
    swarm.onClose(() => reporter.close())
    await feed.append('one')
    await feed.append('two')
    await until(() => models.at(-1)?.head === 2, { what: 'the source\'s head reaches the view' })
    expect(models.at(-1)?.trees[0]?.nodes[0]).toMatchObject({ name: 'source', lag: 0, delivered: 2 })

    // Network input: malformed reports and watches are dropped and counted, the board goes on.
    const raw = swarm.socket(`${demo.url}/demo`)
    await nextEvent(raw, 'demo:feeds')
    raw.emit('demo:report', { key: feed.key, peerIDs: 'nope', delivered: 1 })
    raw.emit('demo:report', 'junk')
    raw.emit('demo:watch', 42)
    await until(() => demo.board.stats().dropped === 3, { what: 'three inputs dropped' })
    expect(demo.board.stats()).toMatchObject({ reports: 1, feeds: 1 })

    // The source leaves: the feed is no longer listed and its trees are drawn as gone.
    const unlisted = nextEvent<[string[]]>(viewer, 'demo:feeds', { filter: (keys: string[]) => keys.length === 0 })
    reporter.close()
    feed.close()
    sourceSocket.disconnect()
    await unlisted
    await until(() => models.at(-1)?.trees.every((t) => !t.exists) === true, { what: 'the view sees the trees end' })
  })
})
