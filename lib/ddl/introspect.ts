import type { Sql, TransactionSql } from '../db/connection.js'

export interface ColumnInfo {
  name: string
  /** Normalized type: integer, bigint, numeric, numeric(p,s), text, boolean, uuid, timestamptz, date, jsonb, ... */
  type: string
  notNull: boolean
}

/**
 * Whether the name is taken in the app's public schema: tables, and also indexes, sequences and
 * views, which share the namespace (a table named like an index would make its CREATE fail).
 */
export async function tableExists (sql: Sql | TransactionSql, table: string): Promise<boolean> {
  const rows = await sql`SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relname = ${table}`
  return rows.length > 0
}

/** Columns of a table as they are in the database (the truth for ALTER planning). */
export async function tableColumns (sql: Sql | TransactionSql, table: string): Promise<Map<string, ColumnInfo>> {
  const rows = await sql<{ column_name: string, udt_name: string, numeric_precision: number | null, numeric_scale: number | null, is_nullable: string }[]>`
    SELECT column_name, udt_name, numeric_precision, numeric_scale, is_nullable
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ${table}`
  const out = new Map<string, ColumnInfo>()
  for (const r of rows) out.set(r.column_name, { name: r.column_name, type: normalizeUdt(r), notNull: r.is_nullable === 'NO' })
  return out
}

function normalizeUdt (r: { udt_name: string, numeric_precision: number | null, numeric_scale: number | null }): string {
  switch (r.udt_name) {
    case 'int4': return 'integer'
    case 'int8': return 'bigint'
    case 'bool': return 'boolean'
    case 'numeric': return r.numeric_precision === null ? 'numeric' : `numeric(${r.numeric_precision},${r.numeric_scale ?? 0})`
    default: return r.udt_name
  }
}
