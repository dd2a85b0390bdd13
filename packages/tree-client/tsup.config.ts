import { defineConfig, type Options } from 'tsup'

// The browser builds carry simple-peer's own standalone build, which brings the Node polyfills
// it needs (Buffer, streams, events) inside it: its package's entry pulls them in as bare
// Node built-ins that no browser has. socket.io-client is never bundled: the page brings `io`.
const browser: Options = {
  entry: ['src/index.ts'],
  sourcemap: true,
  target: 'es2022',
  platform: 'browser',
  minify: true,
  splitting: false,
  noExternal: [/.*/],
  esbuildOptions (options) {
    options.alias = { 'simple-peer': 'simple-peer/simplepeer.min.js' }
  }
}

export default defineConfig([
  {
    // `media` is MediaRelay, apart so that data-only apps do not carry it.
    // `core` is the client without simple-peer (its links use the Peer class the caller passes).
    entry: ['src/index.ts', 'src/core.ts', 'src/media.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    splitting: false,
    // `require('peer-tree-client')` is the constructor itself, with the named exports attached.
    footer: ({ format }) => format === 'cjs'
      ? { js: 'if (typeof module.exports.default === "function") module.exports = Object.assign(module.exports.default, module.exports);' }
      : {}
  },
  {
    // dist/index.global.js, for a <script> tag: the global PeerTreeClient is the constructor,
    // with the named exports attached.
    ...browser,
    format: ['iife'],
    globalName: 'PeerTreeClient',
    footer: { js: 'PeerTreeClient = Object.assign(PeerTreeClient.default, PeerTreeClient);' }
  },
  {
    // dist/index.browser.js, an ES module with nothing left to resolve: a <script type=module>
    // imports it by URL, and it is what bundlers take for browsers (the `browser` condition).
    // dist/index.browser.cjs is the same for a `require()` in a browser bundle, which gets the
    // constructor itself as in Node.
    ...browser,
    format: ['esm', 'cjs'],
    outExtension: ({ format }) => ({ js: format === 'cjs' ? '.browser.cjs' : '.browser.js' }),
    footer: ({ format }) => format === 'cjs'
      ? { js: 'if (typeof module.exports.default === "function") module.exports = Object.assign(module.exports.default, module.exports);' }
      : {}
  },
  {
    // dist/media.global.js, for a <script> tag after dist/index.global.js: it adds MediaRelay
    // and relayMedia to the global PeerTreeClient.
    ...browser,
    entry: ['src/media.ts'],
    format: ['iife'],
    globalName: 'PeerTreeClientMedia',
    footer: { js: 'if (typeof PeerTreeClient !== "undefined") Object.assign(PeerTreeClient, PeerTreeClientMedia);' }
  }
])
