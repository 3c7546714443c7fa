import type { Sql, TransactionSql } from '../db/connection.js'

/** A `_files` row as the API shows it (the storage key stays internal). */
export interface FileRecord {
  id: string
  filename: string
  mime_type: string
  size: number
  uploaded_by: string | null
  created_at: Date
}

/** What serving a file needs: the record and where its bytes are. */
export interface StoredFile extends FileRecord {
  storage_path: string
}

interface FileRow extends Omit<StoredFile, 'size'> {
  // BIGINT arrives as a string (postgres.js keeps it exact); sizes fit a JS number.
  size: string
}

function toRecord (row: FileRow): StoredFile {
  return { ...row, size: Number(row.size) }
}

function publicOf (file: StoredFile): FileRecord {
  const { storage_path: _key, ...record } = file
  return record
}

/** Records an uploaded file (its bytes are already stored under `storage_path`). */
export async function insertFile (sql: Sql | TransactionSql, file: Omit<StoredFile, 'created_at'>): Promise<FileRecord> {
  const rows = await sql<FileRow[]>`
    INSERT INTO _files (id, filename, storage_path, mime_type, size, uploaded_by)
    VALUES (${file.id}, ${file.filename}, ${file.storage_path}, ${file.mime_type}, ${file.size}, ${file.uploaded_by})
    RETURNING id, filename, storage_path, mime_type, size, uploaded_by, created_at`
  return publicOf(toRecord(rows[0] as FileRow))
}

/** One file by id (a valid uuid); null when unknown. */
export async function getFile (sql: Sql, id: string): Promise<StoredFile | null> {
  const rows = await sql<FileRow[]>`
    SELECT id, filename, storage_path, mime_type, size, uploaded_by, created_at FROM _files WHERE id = ${id}`
  return rows[0] === undefined ? null : toRecord(rows[0])
}

/** Deletes a file's row and returns it (for removing its bytes); null when unknown. */
export async function deleteFile (sql: Sql, id: string): Promise<StoredFile | null> {
  const rows = await sql<FileRow[]>`
    DELETE FROM _files WHERE id = ${id} RETURNING id, filename, storage_path, mime_type, size, uploaded_by, created_at`
  return rows[0] === undefined ? null : toRecord(rows[0])
}

/** One page of files, newest first, with the total count. */
export async function listFiles (sql: Sql, page: { page: number, perPage: number }): Promise<{ rows: FileRecord[], total: number }> {
  const [rows, count] = await Promise.all([
    sql<FileRow[]>`
      SELECT id, filename, storage_path, mime_type, size, uploaded_by, created_at FROM _files
      ORDER BY created_at DESC, id DESC LIMIT ${page.perPage} OFFSET ${(page.page - 1) * page.perPage}`,
    sql<Array<{ total: string }>>`SELECT count(*) AS total FROM _files`
  ])
  return { rows: rows.map((r) => publicOf(toRecord(r))), total: Number(count[0]?.total ?? 0) }
}
