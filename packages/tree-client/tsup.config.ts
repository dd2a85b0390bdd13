import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { rootDir: '..' } },
  clean: true,
  sourcemap: true,
  target: 'es2022',
  splitting: false,
  // `require('peer-tree-client')` returns the constructor itself, named exports attached.
  footer: ({ format }) => format === 'cjs'
    ? { js: 'module.exports = Object.assign(module.exports.default, module.exports);' }
    : {}
})
