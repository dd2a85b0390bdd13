// One linter and formatter for the whole repository: JavaScript Standard Style, carried to
// ESLint's flat config by neostandard, with its TypeScript rules.
import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**']
  })
]
