import { fieldTypeOf } from '../fields/index.js'
import type { ErrorDetail } from '../errors.js'
import { qualifiedName, quoteIdent } from '../db/identifiers.js'
import { indexName } from './index-names.js'
import type { EntityDef } from '../metadata/types.js'

/**
 * Full-text search columns (docs/QUERYING.md): the `searchable` string/text fields of an entity
 * form a weighted `tsvector` kept by PostgreSQL in a generated column with a GIN index. The
 * column is not a field: the API never shows it.
 */

export const SEARCH_COLUMN = '_search'
/** PostgreSQL's built-in text search configurations (the only `search.language` values accepted). */
export const SEARCH_LANGUAGES = [
  'simple', 'arabic', 'armenian', 'basque', 'catalan', 'danish', 'dutch', 'english', 'finnish', 'french', 'german',
  'greek', 'hindi', 'hungarian', 'indonesian', 'irish', 'italian', 'lithuanian', 'nepali', 'norwegian', 'portuguese',
  'romanian', 'russian', 'serbian', 'spanish', 'swedish', 'tamil', 'turkish', 'yiddish'
] as const
const WEIGHTS = ['A', 'B', 'C', 'D'] as const

/** Names of the searchable fields, in field order (the first weighs most). */
export function searchableFields (def: EntityDef): string[] {
  return def.fields.filter((f) => f.searchable === true).map((f) => f.name)
}

/** `'english'::regconfig` (validated against SEARCH_LANGUAGES, never user text). */
export function searchConfigOf (def: EntityDef): string {
  const lang = def.search?.language ?? 'simple'
  return `'${(SEARCH_LANGUAGES as readonly string[]).includes(lang) ? lang : 'simple'}'::regconfig`
}

/** The generated column's expression, or null when no field is searchable. */
function searchExpression (def: EntityDef): string | null {
  const fields = searchableFields(def)
  if (fields.length === 0) return null
  const cfg = searchConfigOf(def)
  return fields.map((f, i) => `setweight(to_tsvector(${cfg}, coalesce(${quoteIdent(f)}, '')), '${WEIGHTS[Math.min(i, 3)] as string}')`).join(' || ')
}

function addStatements (def: EntityDef, expr: string): string[] {
  const table = qualifiedName(def.table)
  return [
    `ALTER TABLE ${table} ADD COLUMN ${quoteIdent(SEARCH_COLUMN)} tsvector GENERATED ALWAYS AS (${expr}) STORED`,
    `CREATE INDEX ${quoteIdent(indexName(def.table, [SEARCH_COLUMN], 'fts'))} ON ${table} USING gin (${quoteIdent(SEARCH_COLUMN)})`
  ]
}

/**
 * DDL bringing the search column in line with the entity: added when a field becomes
 * searchable, rebuilt when the searchable set or the language changes, dropped (with its
 * index) when no field is searchable any more. `before` null: a new table.
 */
export function searchStatements (before: EntityDef | null, after: EntityDef): string[] {
  const was = before === null ? null : searchExpression(before)
  const now = searchExpression(after)
  if (was === now) return []
  const out: string[] = []
  if (was !== null) out.push(`ALTER TABLE ${qualifiedName(after.table)} DROP COLUMN IF EXISTS ${quoteIdent(SEARCH_COLUMN)}`)
  if (now !== null) out.push(...addStatements(after, now))
  return out
}

/** Checks `searchable` (string/text fields only) and `search: {language}`. */
export function validateSearch (def: EntityDef, add: (detail: ErrorDetail) => void): void {
  for (const f of def.fields) {
    if (f.searchable === true && !fieldTypeOf(f).textual) {
      add({ field: `fields.${f.name}.searchable`, rule: 'type', message: 'only string and text fields can be searchable' })
    }
  }
}
