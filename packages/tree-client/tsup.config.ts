import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: { resolve: [/^peer-tree-server/] },
  clean: true,
  sourcemap: true,
  target: 'es2022',
  splitting: false,
  // The wire types and the owner-proof bytes come from the server package; inline them.
  noExternal: ['peer-tree-server'],
  esbuildOptions (options) { options.conditions = ['source'] },
  // `require('peer-tree-client')` returns the constructor itself, named exports attached.
  footer: ({ format }) => format === 'cjs'
    ? { js: 'module.exports = Object.assign(module.exports.default, module.exports);' }
    : {}
})
