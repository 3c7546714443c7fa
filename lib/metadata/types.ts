/** Metadata as stored in `_entities.definition` / `_relations.definition` and sent through the admin API. */

export const FIELD_TYPES = ['string', 'text', 'int', 'bigint', 'decimal', 'boolean', 'uuid', 'timestamp', 'date', 'json', 'file'] as const
export type FieldType = typeof FIELD_TYPES[number]

/** Accepted spellings that map to a canonical type (real schemas say `integer`). */
export const FIELD_TYPE_ALIASES: Readonly<Record<string, FieldType>> = {
  integer: 'int',
  datetime: 'timestamp',
  jsonb: 'json'
}

export type PkType = 'uuid' | 'int' | 'bigint' | 'string'

export interface FieldDef {
  name: string
  type: string
  required?: boolean
  unique?: boolean
  default?: unknown
  nullable?: boolean
  enum?: unknown[]
  precision?: number
  scale?: number
  auto?: 'create' | 'update'
  max_length?: number
  /** Part of the entity's full-text search column (string/text). */
  searchable?: boolean
}

export interface PrimaryKeyDef {
  field: string
  type: PkType
  generated?: boolean
}

export interface SlugDef {
  field: string
  source: string
  regenerate_on_update?: boolean
}

export interface EntityDef {
  name: string
  table: string
  primary_key: PrimaryKeyDef
  soft_delete?: boolean
  slug?: SlugDef
  fields: FieldDef[]
  /** Full-text search configuration (`searchable` fields). */
  search?: { language?: string }
  /** Indexes for query patterns, built concurrently after the change commits. */
  indexes?: IndexDef[]
}

export interface IndexDef {
  name?: string
  /** Field names, `-` first for descending. */
  fields: string[]
  unique?: boolean
  /** Filter keys as in query strings (`status`, `total.gte`, `note.is_null`) → values. */
  where?: Record<string, string>
}

export const RELATION_TYPES = ['one_to_one', 'one_to_many', 'many_to_many'] as const
export type RelationType = typeof RELATION_TYPES[number]
export const ON_DELETE = ['cascade', 'set_null', 'restrict', 'detach'] as const
export type OnDelete = typeof ON_DELETE[number]
export const WRITE_MODES = ['diff', 'replace', 'append'] as const
export type WriteMode = typeof WRITE_MODES[number]

export interface RelationDef {
  name: string
  type: RelationType
  source: string
  target: string
  source_key: string
  target_key: string
  join_table?: string
  source_join_key?: string
  target_join_key?: string
  ownership?: 'source' | 'target' | 'none'
  on_delete?: OnDelete
  fetch?: 'lazy' | 'eager'
  write_mode?: WriteMode
  /** Name under which the target side includes/writes this relation; default: the relation name. */
  inverse_name?: string
}
