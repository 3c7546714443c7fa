import { mkdir, open, rm } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { NAME_PATTERN, NAME_RE } from '../metadata/name-pattern.js'
import type { FileStorage } from './storage.js'

// Keys are built by `fileKey` from an app name and a uuid; anything else is a programming error
// and must never reach the file system (no `..`, no absolute paths).
const KEY_RE = new RegExp(`${NAME_PATTERN.slice(0, -1)}\\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

/**
 * Local-disk driver: the object `<app>/<id>` is the file `<root>/<app>/<id>`. Writes go straight
 * to their final name with `wx` (a uuid key is never reused), and a failed write removes the
 * partial file, so readers never see half an upload under a name that has a `_files` row.
 */
export function createLocalStorage (root: string): FileStorage {
  const base = resolve(root)

  function pathOf (key: string): string {
    if (!KEY_RE.test(key)) throw new Error('Invalid storage key')
    const path = resolve(base, key)
    if (!path.startsWith(base + sep)) throw new Error('Invalid storage key')
    return path
  }

  return {
    async save (key, source) {
      const path = pathOf(key)
      await mkdir(dirname(path), { recursive: true })
      // Created before streaming: a failure to create (`wx` on an existing key) removes nothing,
      // and once it exists any later failure removes exactly this call's file.
      const handle = await open(path, 'wx')
      const out = handle.createWriteStream()
      try {
        await pipeline(source, out)
      } catch (err) {
        await handle.close().catch(() => {})
        await rm(path, { force: true })
        throw err
      }
      return out.bytesWritten
    },

    async open (key) {
      try {
        // Opened before any response header is sent, so a missing file is a clean 404.
        const handle = await open(pathOf(key), 'r')
        return handle.createReadStream()
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
        throw err
      }
    },

    async remove (key) {
      await rm(pathOf(key), { force: true })
    },

    async removeApp (app) {
      if (!NAME_RE.test(app)) throw new Error('Invalid app name')
      await rm(resolve(base, app), { recursive: true, force: true })
    }
  }
}
