import { defineConfig } from 'tsup'

export default defineConfig({
  // `src/archive.ts` (Node-only hypercore archive) joins this list when it lands.
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  // Runs in browsers too: no node: imports are bundled (node:crypto is fetched at run time).
  target: 'es2022',
  platform: 'neutral',
  splitting: false
})
