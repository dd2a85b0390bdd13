import { defineConfig } from 'tsup'

export default defineConfig({
  // dist/command.js is the `peer-tree-server` command's (bin/ loads it); dist/metrics.js is
  // `peer-tree-server/metrics`, apart so that the main entry never loads prom-client; dist/redis.js
  // is `peer-tree-server/redis`, apart so that it never loads @redis/client either.
  entry: { index: 'src/index.ts', protocol: 'src/protocol.ts', metrics: 'src/metrics/index.ts', command: 'src/command/index.ts', redis: 'src/store/redis/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
  // `require('peer-tree-server')` returns the constructor itself (as the original's did),
  // with every named export attached to it, so `require(...).PeerTreeServer` works as well.
  // Only the main entry has a default export; the other entries stay plain exports objects.
  footer: ({ format }) => format === 'cjs'
    ? { js: 'if (typeof module.exports.default === "function") module.exports = Object.assign(module.exports.default, module.exports);' }
    : undefined
})
