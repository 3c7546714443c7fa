// Shapes of the Rocket API as the admin UI uses them (docs/reference.md). Metadata types come from
// the engine's own declarations, so the UI offers exactly the field types the engine supports.
export {
  FIELD_TYPES, ON_DELETE, RELATION_TYPES, WRITE_MODES,
  type EntityDef, type FieldDef, type FieldType, type IndexDef, type PkType, type RelationDef, type RelationType, type SlugDef
} from '../../../lib/metadata/types.js'

/** One entry of an error's `details` (docs/reference.md, "Envelopes and errors"), as the engine declares it. */
export type { ErrorDetail } from '../../../lib/errors.js'
import type { ErrorDetail } from '../../../lib/errors.js'

export interface ErrorEnvelope {
  error: { code: string, message: string, details?: ErrorDetail[] }
}

export interface DataEnvelope<T> {
  data: T
}

export interface ListMeta {
  page: number
  per_page: number
  total: number
}

export interface ListEnvelope<T> {
  data: T[]
  meta: ListMeta
}

export interface SessionUser {
  id: string
  email: string
  roles: string[]
}

export interface Tokens {
  access_token: string
  refresh_token: string
  token_type: string
  expires_in: number
  user: SessionUser
}

export interface AppInfo {
  name: string
  display_name: string | null
  db_name: string
  status: string
  created_at: string
  updated_at: string
}

/** A stored file as `_files/upload` answers and as `file` fields hold it. */
export interface FileInfo {
  id: string
  filename: string
  size: number
  mime_type: string
  created_at?: string
}

/** A record of a dynamic entity: JSON values keyed by field or relation name. */
export type RecordData = Record<string, unknown>

/**
 * A server-side row type as it arrives in JSON: dates as ISO strings, everything else as it is
 * (so the UI's types follow the engine's declarations instead of copying them).
 */
export type Json<T> = T extends Date
  ? string
  : T extends ReadonlyArray<infer U>
    ? Array<Json<U>>
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T
