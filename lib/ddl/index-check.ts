import type { Sql, TransactionSql } from '../db/connection.js'
import { validationFailed, type ErrorDetail } from '../errors.js'
import type { IndexSpec } from './index-names.js'

/** A relation of the app's `public` schema as pg_class / pg_index describe it. */
export interface ExistingIndex {
  name: string
  /** pg_class.relkind: 'i' for an index; anything else means the name is held by a table, sequence... */
  kind: string
  table: string | null
  columns: string[]
  unique: boolean
  partial: boolean
}

/**
 * The relations named `names` in `public` (all of them when `names` is null), with the table,
 * columns, uniqueness and predicate of those that are indexes.
 */
export async function existingIndexes (sql: Sql | TransactionSql, names: string[] | null): Promise<Map<string, ExistingIndex>> {
  const rows = await sql<ExistingIndex[]>`
    SELECT c.relname::text AS name, c.relkind::text AS kind, t.relname::text AS table,
      coalesce(i.indisunique, false) AS unique, (i.indpred IS NOT NULL) AS partial,
      coalesce(ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n), '{}') AS columns
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
    LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid
    LEFT JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
    WHERE ns.nspname = 'public' AND (${names === null} OR c.relname = ANY(${names ?? []}::text[]))`
  return new Map(rows.map((r) => [r.name, r]))
}

/** True when an existing relation is the index `spec` describes (same table, columns and uniqueness). */
export function sameIndex (found: ExistingIndex, spec: IndexSpec, opts: { partial: boolean }): boolean {
  return found.kind === 'i' && found.table === spec.table && found.unique === spec.unique &&
    found.columns.length === spec.columns.length && found.columns.every((c, i) => c === spec.columns[i]) &&
    (!opts.partial || found.partial === spec.partial)
}

/**
 * Checks, after the DDL of a metadata change ran, that every index the metadata expects exists
 * under its name on its own table and columns. `CREATE INDEX IF NOT EXISTS` skips a name held by
 * anything else, which once left a field silently not unique; here that becomes a 422 and the
 * change's transaction rolls back.
 */
export async function verifyIndexes (tx: TransactionSql, specs: IndexSpec[]): Promise<void> {
  if (specs.length === 0) return
  const found = await existingIndexes(tx, specs.map((s) => s.name))
  const errors: ErrorDetail[] = []
  for (const s of specs) {
    const f = found.get(s.name)
    if (f === undefined) errors.push({ field: s.field, rule: 'index', message: `index ${s.name} on ${s.table} (${s.columns.join(', ')}) was not created` })
    else if (!sameIndex(f, s, { partial: true })) {
      errors.push({ field: s.field, rule: 'index', message: `the name ${s.name} is already used by ${f.kind === 'i' ? `an index on ${f.table ?? '?'} (${f.columns.join(', ')})` : 'another relation'}` })
    }
  }
  if (errors.length > 0) throw validationFailed('An index this definition needs cannot be created', errors)
}
