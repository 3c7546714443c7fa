import type { Sql, TransactionSql } from '../db/connection.js'
import { payloadTooLarge } from '../errors.js'
import { insertFile, type FileRecord, type StoredFile } from './store.js'

/** Bytes of the app's stored files (every `_files` row, linked or not). */
export async function usedBytes (sql: Sql | TransactionSql): Promise<number> {
  const [row] = await sql<Array<{ used: string }>>`SELECT coalesce(sum(size), 0)::text AS used FROM _files`
  return Number(row?.used ?? 0)
}

export function quotaExceeded (quota: number): Error {
  return payloadTooLarge(`The app's storage quota (${quota} bytes, APP_STORAGE_QUOTA) would be exceeded`, [
    { field: 'file', rule: 'quota', message: 'remove files or ask the platform admin for a larger quota' }
  ])
}

/**
 * Records an uploaded file unless the app's files would then take more than `quota` bytes
 * (0: no quota). Checked and inserted under a transaction-level advisory lock, so parallel
 * uploads — on any process — cannot together pass the quota (docs/security.md).
 */
export async function insertFileWithinQuota (sql: Sql, file: Omit<StoredFile, 'created_at'>, quota: number): Promise<FileRecord> {
  if (quota === 0) return await insertFile(sql, file)
  return await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext('rocket_files_quota'))`
    const used = await usedBytes(tx)
    if (used + file.size > quota) throw quotaExceeded(quota)
    return await insertFile(tx, file)
  }) as FileRecord
}
