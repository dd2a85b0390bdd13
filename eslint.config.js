// One linter and formatter for the whole repository: JavaScript Standard Style, carried to
// ESLint's flat config by neostandard, with its TypeScript rules. `npm test` runs it.
import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    filesTs: ['**/*.mts'],
    ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**']
  }),
  {
    rules: {
      // `void promise` as a statement says "not awaited on purpose; it handles its own errors".
      'no-void': ['error', { allowAsStatement: true }]
    }
  },
  {
    files: ['**/*.ts', '**/*.mts'],
    rules: {
      // A value and its type may share a name (`export const X = ...; export type X = ...`);
      // TypeScript itself rejects every real redeclaration.
      '@typescript-eslint/no-redeclare': 'off'
    }
  },
  {
    // Pages' own scripts run in a browser, with the globals their pages load first.
    files: ['scripts/pages/**', 'test/browser/apps/**', 'test/browser/fixtures/**'],
    languageOptions: {
      globals: { location: 'readonly', history: 'readonly', io: 'readonly', PeerTreeBroadcast: 'readonly', PeerTreeClient: 'readonly' }
    }
  }
]
