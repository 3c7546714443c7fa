// `npm run lint`: neostandard (standard style, TypeScript-aware) over the server, admin UI,
// tests and scripts. Built output, data and dependencies are not linted.
import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', '.test-build/**', 'admin/dist/**', 'data/**', 'uploads/**', 'node_modules/**', 'coverage/**', '.tap/**', 'test/artifacts/**', 'bench/.profiles/**', 'bench/.scratch/**']
  }),
  {
    rules: {
      // `void promise` marks a deliberate fire-and-forget call (its errors are handled inside).
      'no-void': ['error', { allowAsStatement: true }],
      // Table cell components are named like the HTML elements they render (TH, TD).
      '@stylistic/jsx-pascal-case': ['error', { allowAllCaps: true }]
    }
  },
  {
    files: ['test/**'],
    rules: {
      // Tests poll flags that a concurrent task sets (`while (running) …`).
      'no-unmodified-loop-condition': 'off'
    }
  }
]
