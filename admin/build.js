// Builds the admin UI into admin/dist. Run by `npm run build:admin` (always builds), by npm's
// `prepare` (after every npm install / npm ci) and before `npm start` / `npm test` with
// `--if-stale` (builds only when a source file is newer than the last build).
// Without dev dependencies (vite missing) it warns and exits 0: the server then answers 503 at /admin/.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ADMIN = fileURLToPath(new URL('.', import.meta.url))
const BUILT = join(ADMIN, 'dist', 'index.html')
const INPUTS = [join(ADMIN, 'src'), join(ADMIN, 'index.html'), join(ADMIN, 'vite.config.ts'), join(ADMIN, '..', 'package-lock.json')]

/** Newest modification time under the given files and folders. */
function newest (paths) {
  let max = 0
  for (const p of paths) {
    if (!existsSync(p)) continue
    const st = statSync(p)
    if (st.isDirectory()) max = Math.max(max, newest(readdirSync(p).map((name) => join(p, name))))
    else max = Math.max(max, st.mtimeMs)
  }
  return max
}

if (process.argv.includes('--if-stale') && existsSync(BUILT) && statSync(BUILT).mtimeMs >= newest(INPUTS)) {
  process.exit(0)
}

let vite
try {
  vite = await import('vite')
} catch {
  console.warn('admin UI not built: vite is not installed (install dev dependencies, then run `npm run build:admin`)')
  process.exit(0)
}
await vite.build({ configFile: join(ADMIN, 'vite.config.ts'), logLevel: 'warn' })
console.log('admin UI built into admin/dist')
