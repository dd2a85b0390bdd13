import { defineConfig } from 'tsup'

export default defineConfig([
  {
    // `archive` is the Node-only part (hypercore), a separate entry so browsers never load it.
    entry: ['src/index.ts', 'src/archive.ts'],
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
    // The standalone build for a <script> tag (dist/index.global.js): the global PeerTreeBroadcast.
    entry: ['src/index.ts'],
    format: ['iife'],
    globalName: 'PeerTreeBroadcast',
    sourcemap: true,
    target: 'es2022',
    platform: 'browser',
    minify: true,
    splitting: false,
    noExternal: [/.*/],
    esbuildOptions (options) {
      // simple-peer's own standalone browser build carries the Node polyfills it needs.
      options.alias = { 'simple-peer': 'simple-peer/simplepeer.min.js' }
    }
  }
])
