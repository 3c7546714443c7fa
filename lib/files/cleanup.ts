import type { Sql } from '../db/connection.js'
import type { FileStorage } from './storage.js'

/** An upload no record referenced within this long is removed (docs/security.md). */
export const ORPHAN_FILE_AGE_MS = 24 * 3600 * 1000

/**
 * Removes an app's files that no record ever referenced (`linked_at` NULL) and that are older
 * than `olderThanMs`, `batch` at a time: the rows are deleted with `FOR UPDATE SKIP LOCKED`, so
 * when several processes run the job each file is removed by one of them, and a write linking
 * the file at the same moment either wins (the file is kept) or finds it gone (422). Bytes go
 * after their row: a failure there leaves only disk space behind. Returns how many were removed.
 */
export async function removeOrphanFiles (sql: Sql, storage: FileStorage, opts: { olderThanMs?: number, batch?: number } = {}): Promise<number> {
  const age = opts.olderThanMs ?? ORPHAN_FILE_AGE_MS
  const batch = opts.batch ?? 500
  let removed = 0
  for (;;) {
    const rows = await sql<Array<{ storage_path: string }>>`
      DELETE FROM _files WHERE id IN (
        SELECT id FROM _files WHERE linked_at IS NULL AND created_at < now() - ${age} * interval '1 millisecond'
        ORDER BY created_at LIMIT ${batch} FOR UPDATE SKIP LOCKED)
      RETURNING storage_path`
    for (const row of rows) await storage.remove(row.storage_path).catch(() => {})
    removed += rows.length
    if (rows.length < batch) return removed
  }
}
