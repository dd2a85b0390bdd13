import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Tests run against each package's TypeScript source, so a test never sees a stale dist/.
// This is done with aliases, not with the `source` export condition: Vitest hands
// `ssr.resolve.conditions` to Node as --conditions, so a `source` condition there made Node's
// own require('peer-tree-server') (the README test, which must load the built CommonJS) load
// a .ts file, and an `import` condition made every require('ws') load ws's ESM wrapper
// (socket.io then failed with "wsEngine is not a constructor"). Only the README test
// requires the built packages.
const src = (path: string): string => fileURLToPath(new URL(path, import.meta.url))
const alias = [
  { find: /^peer-tree-protocol$/, replacement: src('./packages/protocol/src/index.ts') },
  { find: /^peer-tree-server\/protocol$/, replacement: src('./packages/tree-server/src/protocol.ts') },
  { find: /^peer-tree-server$/, replacement: src('./packages/tree-server/src/index.ts') },
  { find: /^peer-tree-client\/core$/, replacement: src('./packages/tree-client/src/core.ts') },
  { find: /^peer-tree-client\/media$/, replacement: src('./packages/tree-client/src/media.ts') },
  { find: /^peer-tree-client$/, replacement: src('./packages/tree-client/src/index.ts') },
  { find: /^peer-tree-broadcast\/archive$/, replacement: src('./packages/broadcast/src/archive.ts') },
  { find: /^peer-tree-broadcast$/, replacement: src('./packages/broadcast/src/index.ts') }
]

export default defineConfig({
  resolve: { alias },
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
