import { defineConfig } from 'vitest/config'

// Tests run against each package's TypeScript source (the `source` export condition),
// so a test never sees a stale dist/. Only the README test requires the built packages.
const conditions = ['source', 'module', 'node', 'import', 'default']

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
