import { defineConfig } from 'tsup'

export default defineConfig({
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
})
