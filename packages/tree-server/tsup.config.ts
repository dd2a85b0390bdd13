import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/protocol.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // The CJS entry must make `require('peer-tree-server')` return the constructor itself.
  cjsInterop: true,
  splitting: false
})
