import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  // iife: the standalone build for a <script> tag (dist/index.global.js), the global PeerTreeClient.
  format: ['esm', 'cjs', 'iife'],
  globalName: 'PeerTreeClient',
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  splitting: false,
  esbuildOptions (options, { format }) {
    if (format !== 'iife') return
    // simple-peer's own standalone browser build carries the Node polyfills it needs (Buffer,
    // streams, events). socket.io-client is not bundled: the page brings its own `io`.
    options.alias = { 'simple-peer': 'simple-peer/simplepeer.min.js' }
    options.platform = 'browser'
    options.minify = true
  },
  // `require('peer-tree-client')` and the global PeerTreeClient are the constructor itself,
  // with the named exports attached.
  footer: ({ format }) => format === 'cjs'
    ? { js: 'module.exports = Object.assign(module.exports.default, module.exports);' }
    : format === 'iife'
      ? { js: 'PeerTreeClient = Object.assign(PeerTreeClient.default, PeerTreeClient);' }
      : {}
})
