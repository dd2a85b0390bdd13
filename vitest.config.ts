import { defineConfig } from 'vitest/config'

// Tests run against each package's TypeScript source (the `source` export condition),
// so a test never sees a stale dist/. Only the README test requires the built packages.
// Vitest also hands these to Node as --conditions for externalized dependencies: 'import'
// there makes every require('ws') load ws's ESM wrapper, and socket.io's engine then has no
// ws Server ("wsEngine is not a constructor"). So: Vite's defaults plus 'source', no 'import'.
const conditions = ['source', 'module', 'node', 'development|production']

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    server: { deps: { inline: [/peer-tree-/] } },
    // WebRTC suites open many connections; two files at a time on this 2-core machine.
    maxWorkers: 2,
    pool: 'forks'
  }
})
