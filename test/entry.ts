import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * How a test starts one of Rocket's entry points (`server.ts`, `lib/db/migrate-cli.ts`) as a
 * child process: under `npm test` the tests run compiled (test/build.js), and so does the child,
 * from the same `.test-build/` tree; a test file run alone from its sources (`npx tap …test.ts`)
 * starts the entry's source through tsx.
 */
const COMPILED = import.meta.url.endsWith('.js')
/** The tree this file was loaded from: the repository, or `.test-build/` inside it. */
const TREE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Node arguments that run `script` (a path relative to the repository, e.g. `server.ts`). */
export function entryArgs (script: string): string[] {
  return COMPILED ? [path.join(TREE, script.replace(/\.ts$/, '.js'))] : ['--import', 'tsx', path.join(TREE, script)]
}
