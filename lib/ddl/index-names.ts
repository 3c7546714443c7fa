import { createHash } from 'node:crypto'
import type { EntityDef, RelationDef } from '../metadata/types.js'

/** What an index is for; part of its name and of its hash. */
export type IndexKind = 'key' | 'idx' | 'one' | 'live' | 'fts'

/** An index the metadata asks for: enough to create it and to recognise it in pg_index. */
export interface IndexSpec {
  name: string
  /** Raw table name (in the app's `public` schema). */
  table: string
  columns: string[]
  unique: boolean
  /** Has a predicate (`WHERE "deleted_at" IS NULL`). */
  partial: boolean
  /** The name this index had before names carried a hash (docs/ARCHITECTURE.md, "DDL"). */
  legacyName: string
  /** Where a problem with this index is reported in a 422's details. */
  field: string
}

const MAX_IDENT = 63
const HASH_LENGTH = 8

/**
 * `<table>_<columns>_<hash>_<kind>`, at most 63 bytes. The hash covers table, columns and kind,
 * so two entities never derive the same name however their table and field names concatenate
 * (`foo` + `bar_baz` and `foo_bar` + `baz` used to share `foo_bar_baz_key`); the readable
 * prefix is cut first when the name would be too long.
 */
export function indexName (table: string, columns: string[], kind: IndexKind): string {
  const hash = createHash('sha256').update(`${table}\u0000${columns.join(',')}\u0000${kind}`).digest('hex').slice(0, HASH_LENGTH)
  const prefix = `${table}_${columns.join('_')}`.slice(0, MAX_IDENT - HASH_LENGTH - kind.length - 2)
  return `${prefix}_${hash}_${kind}`
}

function spec (table: string, columns: string[], kind: IndexKind, opts: { unique: boolean, partial: boolean, legacy: string, field: string }): IndexSpec {
  return { name: indexName(table, columns, kind), table, columns, unique: opts.unique, partial: opts.partial, legacyName: opts.legacy.slice(0, MAX_IDENT), field: opts.field }
}

/** The unique index of a field (ignoring soft-deleted rows when the entity soft-deletes). */
export function uniqueFieldIndex (entity: EntityDef, field: string): IndexSpec {
  return spec(entity.table, [field], 'key', { unique: true, partial: entity.soft_delete === true, legacy: `${entity.table}_${field}_key`, field: `fields.${field}.unique` })
}

/** The partial index on the primary key of live rows (soft-deleting entities). */
export function liveIndex (entity: EntityDef): IndexSpec {
  return spec(entity.table, [entity.primary_key.field], 'live', { unique: false, partial: true, legacy: `${entity.table}_live_idx`, field: 'soft_delete' })
}

/** Every index an entity's own DDL creates. */
export function entityIndexes (entity: EntityDef): IndexSpec[] {
  const out: IndexSpec[] = []
  for (const f of entity.fields) {
    if (f.unique === true && f.name !== entity.primary_key.field) out.push(uniqueFieldIndex(entity, f.name))
  }
  if (entity.soft_delete === true) out.push(liveIndex(entity))
  return out
}

/** The index a relation's DDL creates: on the FK column (unique for one_to_one) or on the join table's second key. */
export function relationIndex (rel: RelationDef, target: EntityDef): IndexSpec {
  if (rel.type === 'many_to_many') {
    const jt = rel.join_table as string
    const tj = rel.target_join_key as string
    return spec(jt, [tj], 'idx', { unique: false, partial: false, legacy: `${jt}_${tj}_idx`, field: 'join_table' })
  }
  if (rel.type === 'one_to_one') {
    return spec(target.table, [rel.target_key], 'one', { unique: true, partial: target.soft_delete === true, legacy: `${target.table}_${rel.target_key}_one`, field: 'target_key' })
  }
  return spec(target.table, [rel.target_key], 'idx', { unique: false, partial: false, legacy: `${target.table}_${rel.target_key}_idx`, field: 'target_key' })
}
