import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Tests run against each package's TypeScript source (the `source` export condition).
  resolve: { conditions: ['source'] },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // WebRTC suites open hundreds of connections; run files one or two at a time.
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks'
  }
})
