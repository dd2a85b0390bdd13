import { join } from 'node:path'
import { defineConfig, type Options } from 'tsup'

/**
 * For the browser builds: the tree client without simple-peer (peer-tree-client/core), and
 * net/default-peer.browser.ts in place of net/default-peer.ts, so every link is a DataPeer
 * over the browser's own RTCPeerConnection. simple-peer's browser build would be half of the
 * bundle (28 KB of 79 KB gzipped), and the feed hands no peer to the application.
 */
const browserPeers = {
  name: 'browser-peers',
  setup (build: { onResolve: (o: { filter: RegExp }, f: (args: { path: string, resolveDir: string, kind: string, importer: string }) => unknown) => void, resolve: (path: string, o: { resolveDir: string, kind: string, importer: string }) => Promise<{ path: string }> }) {
    build.onResolve({ filter: /^peer-tree-client$/ }, async (args) =>
      await build.resolve('peer-tree-client/core', { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer }))
    build.onResolve({ filter: /\/default-peer\.js$/ }, (args) => ({ path: join(args.resolveDir, 'default-peer.browser.ts') }))
  }
}

const browser: Options = {
  entry: ['src/index.ts'],
  sourcemap: true,
  target: 'es2022',
  platform: 'browser',
  minify: true,
  splitting: false,
  // Nothing left to resolve: the page brings only socket.io's `io` (of which nothing is imported).
  noExternal: [/.*/],
  esbuildPlugins: [browserPeers as never]
}

export default defineConfig([
  {
    // `archive` is the Node-only part (hypercore), a separate entry so browsers never load it;
    // `video` (WebCodecs) is apart so that data-only apps do not carry it.
    entry: ['src/index.ts', 'src/archive.ts', 'src/video.ts'],
    external: ['hypercore'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    // Runs in browsers too: no node: imports are bundled (node:crypto is fetched at run time).
    target: 'es2022',
    platform: 'neutral',
    splitting: false
  },
  {
    // dist/index.global.js, for a <script> tag: the global PeerTreeBroadcast.
    ...browser,
    format: ['iife'],
    globalName: 'PeerTreeBroadcast'
  },
  {
    // dist/index.browser.js, an ES module a <script type=module> imports by URL; bundlers take
    // it for browsers (the `browser` condition).
    ...browser,
    format: ['esm'],
    outExtension: () => ({ js: '.browser.js' })
  },
  {
    // dist/video.browser.js, the video entry as an ES module with nothing left to resolve.
    ...browser,
    entry: ['src/video.ts'],
    format: ['esm'],
    outExtension: () => ({ js: '.browser.js' })
  },
  {
    // dist/video.global.js, for a <script> tag after dist/index.global.js: it adds VideoSource
    // and VideoPlayer to the global PeerTreeBroadcast.
    ...browser,
    entry: ['src/video.ts'],
    format: ['iife'],
    globalName: 'PeerTreeBroadcastVideo',
    footer: { js: 'if (typeof PeerTreeBroadcast !== "undefined") Object.assign(PeerTreeBroadcast, PeerTreeBroadcastVideo);' }
  }
])
