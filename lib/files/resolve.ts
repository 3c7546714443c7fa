import { fieldInvalid } from '../errors.js'
import { UUID_RE } from '../fields/spec.js'
import type { FileResolver } from '../write/types.js'

/** What a `file` field stores (docs/reference.md, "Metadata: entities, fields, relations"). */
export interface FileValue {
  id: string
  filename: string
  size: number
  mime_type: string
}

function idOf (value: unknown): string | null {
  const id = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).id : value
  return typeof id === 'string' && UUID_RE.test(id) ? id : null
}

/**
 * The `FileResolver` of `lib/files`: a `file` field value (an uploaded file's id, or `{id}`)
 * becomes the `_files` facts `{id, filename, size, mime_type}` — whatever else the client sent
 * in the object is ignored, so a record can never claim a name or size its file does not have.
 * An unknown id is a 422 on that field. One indexed lookup per file value, through the pool:
 * it runs while the write is planned, before the transaction opens. Nothing is cached, so a
 * deleted file is refused at once. A file once referenced stays linked even if that write fails
 * (kept rather than lost).
 */
export const resolveFileValue: FileResolver = async (value, at) => {
  const id = idOf(value)
  if (id === null) throw fieldInvalid(at.path, 'file', 'must be the id of an uploaded file')
  // Marks the file linked (kept by the orphan cleanup, `cleanup.ts`) in the same statement.
  const rows = await at.sql<Array<{ id: string, filename: string, size: string, mime_type: string }>>`
    UPDATE _files SET linked_at = coalesce(linked_at, now()) WHERE id = ${id} RETURNING id, filename, size, mime_type`
  const row = rows[0]
  if (row === undefined) throw fieldInvalid(at.path, 'file', `file '${id}' does not exist`)
  const out: FileValue = { id: row.id, filename: row.filename, size: Number(row.size), mime_type: row.mime_type }
  return out
}
