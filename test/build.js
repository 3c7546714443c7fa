// Compiles the sources and the tests to `.test-build/` for `npm test` (docs/ARCHITECTURE.md,
// "Tests"): every test file is a process of its own, and loading the module graph through the
// tsx loader hooks cost each one about as much CPU again as the compiled files do. esbuild only
// strips the types (the same transform tsx applies, with the same tsconfig.json); `npm run
// typecheck` is what checks them.
//
// The tree mirrors the repository (`.test-build/lib/…`, `.test-build/test/…`), so relative
// imports, `lib/db/migrate.ts`'s `../../migrations` and the tests' entry paths hold in both;
// `.test-build/` has no package.json of its own, so PROJECT_ROOT (lib/project-root.ts) and
// node_modules resolve to the repository's.
import { build } from 'esbuild'
import { readdirSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const BUILD_DIR = path.join(ROOT, '.test-build')
const ENTRIES = ['app.ts', 'server.ts']
// admin/src: the admin UI's logic modules (.ts) that unit tests import; its .tsx is Vite's.
const FOLDERS = ['config', 'lib', 'plugins', 'routes', 'migrations', 'test', 'admin/src']

/** The compiled path of a source file given relative to the repository (`test/a.test.ts` → `.test-build/test/a.test.js`). */
export function compiledPath (file) {
  return path.join(BUILD_DIR, path.relative(ROOT, path.resolve(ROOT, file))).replace(/\.ts$/, '.js')
}

export async function buildTests () {
  const entryPoints = ENTRIES.map((f) => path.join(ROOT, f))
  for (const folder of FOLDERS) {
    for (const f of readdirSync(path.join(ROOT, folder), { recursive: true })) {
      if (f.endsWith('.ts') && !f.endsWith('.d.ts')) entryPoints.push(path.join(ROOT, folder, f))
    }
  }
  await rm(BUILD_DIR, { recursive: true, force: true })
  await build({
    entryPoints,
    outdir: BUILD_DIR,
    outbase: ROOT,
    absWorkingDir: ROOT,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    logLevel: 'warning'
  })
  return entryPoints.length
}
