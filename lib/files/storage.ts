import type { Readable } from 'node:stream'

/**
 * Where uploaded file contents live. Keys are `<app>/<id>` (see `fileKey`), so a driver maps
 * them onto a folder per app (local disk) or an object-key prefix (S3) alike. Metadata (name,
 * type, size, uploader) is in `_files`; a driver only stores bytes.
 */
export interface FileStorage {
  /**
   * Streams `source` into the object `key` without buffering it and resolves to the number of
   * bytes written. When the source or the write fails, nothing is left behind under `key`.
   */
  save: (key: string, source: Readable) => Promise<number>
  /** A stream of the object's bytes; null when there is no such object. */
  open: (key: string) => Promise<Readable | null>
  /** Removes one object (no error when it is already gone). */
  remove: (key: string) => Promise<void>
  /** Removes every object of an app (the app is being deleted). */
  removeApp: (app: string) => Promise<void>
}

/** The storage key of an app's file. Both parts are validated names (app name, uuid) by the caller. */
export function fileKey (app: string, id: string): string {
  return `${app}/${id}`
}
