// What the benchmarks share: a signalling server on loopback, a connected simple-peer pair,
// and a line naming the machine.
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { cpus } from 'node:os'
import { Server } from 'socket.io'
import wrtc from '@roamhq/wrtc'
import SimplePeer from 'simple-peer'
import PeerTreeServer from 'peer-tree-server'

/**
 * A PeerTreeServer on 127.0.0.1 and an ephemeral port; `close()` stops it. `handler` answers
 * the HTTP requests socket.io does not (pages, scripts).
 */
export async function startSignalServer (opts = {}, handler = undefined) {
  const http = createServer(handler)
  const io = new Server(http)
  const treeServer = new PeerTreeServer(io, opts)
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${http.address().port}`,
    treeServer,
    close () { treeServer.close(); io.close() }
  }
}

/** Two simple-peers connected to each other in this process: [initiator, answerer]. */
export async function connectedPair () {
  const a = new SimplePeer({ initiator: true, wrtc })
  const b = new SimplePeer({ wrtc })
  a.on('signal', (s) => b.signal(s))
  b.on('signal', (s) => a.signal(s))
  await Promise.all([new Promise((resolve) => a.once('connect', resolve)), new Promise((resolve) => b.once('connect', resolve))])
  return [a, b]
}

export const machine = `${cpus().length} × ${cpus()[0]?.model}`

/**
 * A TypeScript module of this repository (a path from the repository root), bundled from
 * source with esbuild for this run and imported: internals of a package, or a test helper.
 * The `.mjs` modules it imports stay files of their own (imported by URL), so what they find
 * from their own `import.meta.url` is still there.
 */
export async function importSource (path) {
  const bundled = await build({
    entryPoints: [fileURLToPath(new URL(`../${path}`, import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    plugins: [{
      name: 'mjs-by-url',
      setup (b) {
        b.onResolve({ filter: /\.mjs$/ }, (args) => ({ path: new URL(args.path, `file://${args.resolveDir}/`).href, external: true }))
      }
    }]
  })
  return await import(`data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].contents).toString('base64')}`)
}
