import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The repository root (the folder holding package.json): the same whether this module runs from
 * the sources (`lib/`, through tsx) or from the compiled build (`dist/lib/`, `npm start`).
 */
function findRoot (): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url))
    dir = parent
  }
}

export const PROJECT_ROOT = findRoot()
