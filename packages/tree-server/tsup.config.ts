import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/protocol.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
  // `require('peer-tree-server')` returns the constructor itself (as the original's did),
  // with every named export attached to it, so `require(...).PeerTreeServer` works as well.
  // Only the main entry has a default export; protocol.cjs stays a plain exports object.
  footer: ({ format }) => format === 'cjs'
    ? { js: 'if (typeof module.exports.default === "function") module.exports = Object.assign(module.exports.default, module.exports);' }
    : undefined
})
