// The standalone browser build (dist/index.global.js, as the original shipped one): a script
// that defines the global PeerTreeClient, with simple-peer inside and socket.io-client not.
import { existsSync, readFileSync } from 'node:fs'
import { compileFunction, runInNewContext } from 'node:vm'
import wrtc from '@roamhq/wrtc'
import { afterEach, expect, test, vi } from 'vitest'
import { Swarm } from '../../../test/helpers/swarm.js'
import { PeerTreeClient } from '../src/index.js'

const swarm = new Swarm()
afterEach(async () => { await swarm.close() })

const bundle = new URL('../dist/index.global.js', import.meta.url)

function script (): string {
  expect(existsSync(bundle), 'run `pnpm --filter peer-tree-client build` before the tests').toBe(true)
  return readFileSync(bundle, 'utf8')
}

test('a <script> of it defines the global PeerTreeClient constructor and bundles no socket.io', () => {
  const code = script()
  // Strings every socket.io-client build carries; the page brings its own `io`.
  expect(/engine\.io|io server disconnect/.test(code)).toBe(false)
  // A page's global scope: nothing of Node, only what a browser has.
  const page: Record<string, unknown> = { crypto: globalThis.crypto, console, setTimeout, clearTimeout, queueMicrotask, TextEncoder, TextDecoder }
  page['window'] = page
  page['self'] = page
  runInNewContext(code, page)
  const Global = page['PeerTreeClient'] as any
  expect(typeof Global).toBe('function')
  expect(Global.PeerTreeClient).toBe(Global)
  expect(typeof Global.PeerTreeError).toBe('function')
  expect(Global.DEFAULT_TIMEOUT_MS).toBe(10_000)
  // Callable without new, like the original; it talks to whatever socket.io-client socket it is given.
  const sent: unknown[][] = []
  const socket = { on () {}, off () {}, emit (...args: unknown[]) { sent.push(args) } }
  const client = Global(socket)
  expect(client).toBeInstanceOf(Global)
  client.create()
  expect(sent[0]?.[0]).toBe('tree:create')
})

test('the standalone client joins a tree over real WebRTC and receives data', async () => {
  // Evaluated in this process's own scope (Node's WebRTC-less globals), as a page would.
  const Standalone = compileFunction(`${script()}\nreturn PeerTreeClient`)() as typeof PeerTreeClient
  const { url } = await swarm.server()
  const sockets = [swarm.socket(url), swarm.socket(url)]
  const source = new PeerTreeClient(sockets[0] as never, { wrtc })
  const viewer = Standalone(sockets[1] as never, { wrtc })
  swarm.onClose(() => { viewer.destroy(); source.destroy() })
  const treeID = await new Promise<string>((resolve) => { source.on('discover', resolve); source.create() })
  const received: string[] = []
  viewer.on('upstreamPeer', (peer) => { peer.on('data', (chunk: Uint8Array) => received.push(new TextDecoder().decode(chunk))) })
  source.on('downstreamPeer', (peer) => { peer.write('hello from the source') })
  viewer.connect(treeID)
  await vi.waitFor(() => expect(received).toEqual(['hello from the source']), { timeout: 20_000 })
})
