import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  // Both ends load it, the client in browsers too: nothing platform-specific is bundled
  // (TextEncoder and URL are globals in Node and in browsers).
  target: 'es2022',
  platform: 'neutral',
  splitting: false
})
