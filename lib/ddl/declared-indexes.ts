import { createHash } from 'node:crypto'
import type { AppContext } from '../apps/context.js'
import type { ErrorDetail } from '../errors.js'
import { fieldTypeOf } from '../fields/index.js'
import { isSystemCatalogName, qualifiedName, quoteIdent } from '../db/identifiers.js'
import type { EntityDef, IndexDef } from '../metadata/types.js'
import { columnTypeOf } from './entity-ddl.js'

/**
 * Indexes declared in metadata (docs/QUERYING.md): `indexes: [{name?, fields: ['status',
 * '-created_at'], unique?, where?: {filter keys}}]`. Built with CREATE INDEX CONCURRENTLY after
 * the metadata change commits (writes are never blocked); removed ones are dropped concurrently.
 * Status: `ready` (valid in the catalog), `building` (being built, or not there yet), `failed`
 * (the build failed: an invalid index is dropped, the error kept). The status lives in the app's
 * `_declared_indexes` table, so every server process reports the same one.
 */

export type IndexStatus = 'building' | 'ready' | 'failed'
const WHERE_OPS: Record<string, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' }

/** The declared name, or a stable one from the table and the definition (fits 63 bytes). */
export function declaredIndexName (def: EntityDef, ix: IndexDef): string {
  if (ix.name !== undefined) return ix.name
  const hash = createHash('sha1').update(JSON.stringify([ix.fields, ix.unique === true, ix.where ?? {}])).digest('hex').slice(0, 10)
  return `${def.table.slice(0, 40)}_ix_${hash}`
}

function literal (def: EntityDef, field: string, raw: string): string {
  const f = def.fields.find((x) => x.name === field)
  if (f === undefined) throw new Error(`unknown field '${field}'`)
  const value = fieldTypeOf(f).fromQuery(raw)
  // DDL takes no parameters: the converted value as a quoted literal cast to the column type.
  return `'${String(value).replace(/'/g, "''")}'::${columnTypeOf(f)}`
}

function whereSql (def: EntityDef, where: Record<string, string>): string[] {
  return Object.entries(where).map(([key, raw]) => {
    const [field, op = 'eq'] = key.split('.') as [string, string?]
    if (op === 'is_null') return `${quoteIdent(field)} IS ${raw === 'true' ? '' : 'NOT '}NULL`
    const sqlOp = WHERE_OPS[op]
    if (sqlOp === undefined) throw new Error(`operator '${op}' is not supported in an index where (eq, neq, gt, gte, lt, lte, is_null)`)
    return `${quoteIdent(field)} ${sqlOp} ${literal(def, field, raw)}`
  })
}

export function createIndexSql (def: EntityDef, ix: IndexDef): string {
  const cols = ix.fields.map((f) => (f.startsWith('-') ? `${quoteIdent(f.slice(1))} DESC` : quoteIdent(f)))
  const conds = whereSql(def, ix.where ?? {})
  if (def.soft_delete === true) conds.push('"deleted_at" IS NULL')
  const where = conds.length > 0 ? ` WHERE ${conds.join(' AND ')}` : ''
  return `CREATE ${ix.unique === true ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${quoteIdent(declaredIndexName(def, ix))} ON ${qualifiedName(def.table)} (${cols.join(', ')})${where}`
}

/**
 * Checks `indexes` of an entity definition against its fields (their shape is the entity's
 * schema, lib/metadata/schemas.ts): fields exist and are indexable, `where` converts, names
 * are not PostgreSQL's and not used twice.
 */
export function validateIndexes (def: EntityDef, add: (d: ErrorDetail) => void): void {
  const names = new Set<string>()
  ;(def.indexes ?? []).forEach((ix, i) => {
    const at = `indexes[${i}]`
    for (const f of ix.fields) {
      const name = f.replace(/^-/, '')
      const field = def.fields.find((x) => x.name === name)
      if (field === undefined) add({ field: `${at}.fields`, rule: 'exists', message: `unknown field '${f}'` })
      else if (!fieldTypeOf(field).comparable) add({ field: `${at}.fields`, rule: 'type', message: `${name}: ${field.type} fields cannot be indexed` })
    }
    if (ix.name !== undefined && isSystemCatalogName(ix.name)) add({ field: `${at}.name`, rule: 'reserved', message: "index names starting with 'pg_' are reserved for PostgreSQL" })
    if (ix.where !== undefined) {
      if (Object.values(ix.where).some((v) => v.includes('\u0000'))) add({ field: `${at}.where`, rule: 'type', message: 'where values must not contain NUL characters' })
      else {
        try { whereSql(def, ix.where) } catch (err) { add({ field: `${at}.where`, rule: 'invalid', message: (err as Error).message }) }
      }
    }
    const name = declaredIndexName(def, ix)
    if (names.has(name)) add({ field: `${at}.name`, rule: 'unique', message: `duplicate index '${name}'` })
    names.add(name)
  })
}

/** Records an index's build status in `_declared_indexes`, which every process reads (docs/QUERYING.md). */
async function setStatus (app: AppContext, ix: { name: string, table: string }, status: IndexStatus, error: string | null = null): Promise<void> {
  await app.sql`
    INSERT INTO _declared_indexes (name, table_name, status, error, updated_at) VALUES (${ix.name}, ${ix.table}, ${status}, ${error}, now())
    ON CONFLICT (name) DO UPDATE SET table_name = EXCLUDED.table_name, status = EXCLUDED.status, error = EXCLUDED.error, updated_at = now()`
}

/** After the metadata change committed: drop removed indexes, build new ones, concurrently. */
export async function syncDeclaredIndexes (app: AppContext, before: EntityDef | null, after: EntityDef): Promise<void> {
  const wanted = new Map((after.indexes ?? []).map((ix) => [declaredIndexName(after, ix), ix]))
  for (const ix of before?.indexes ?? []) {
    const name = declaredIndexName(before as EntityDef, ix)
    if (!wanted.has(name)) {
      await app.sql`DELETE FROM _declared_indexes WHERE name = ${name}`
      if (await indexTable(app, name) === after.table) await app.sql.unsafe(`DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedName(name)}`).catch(() => {})
    }
  }
  for (const [name, ix] of wanted) {
    const at = { name, table: after.table }
    // A name already in the catalog is this entity's index (built before) or someone else's:
    // never build over it or drop it (docs/security.md, "Databases and roles").
    const holder = await indexTable(app, name)
    if (holder !== null) {
      if (holder === after.table) await setStatus(app, at, 'ready')
      else await setStatus(app, at, 'failed', `index name '${name}' is already used by table '${holder}'`)
      continue
    }
    await setStatus(app, at, 'building')
    try {
      await app.sql.unsafe(createIndexSql(after, ix))
      await setStatus(app, at, 'ready')
    } catch (err) {
      // A failed concurrent build leaves an invalid index behind; it would only slow writes.
      // Dropped before the status is recorded: until then readers see `building`, never an
      // invalid index without a build running (which they report as interrupted).
      if (await indexTable(app, name) === after.table) await app.sql.unsafe(`DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedName(name)}`).catch(() => {})
      await setStatus(app, at, 'failed', (err as Error).message)
    }
  }
}

/** The table an index of the app's schema belongs to, or null when no index has that name. */
async function indexTable (app: AppContext, name: string): Promise<string | null> {
  const rows = await app.sql<Array<{ table: string }>>`
    SELECT t.relname AS table FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relname = ${name} AND n.nspname = 'public'`
  return rows[0]?.table ?? null
}

interface CatalogState { name: string, valid: boolean | null, building: boolean, status: IndexStatus | null, error: string | null }

/**
 * `[{name, fields, unique, where, status, error?}]` for the admin API, the same from every
 * process: `ready` when the catalog holds a valid index; `failed` as recorded by the process
 * that built it, or when a recorded build is no longer running (its process died: PostgreSQL
 * aborted the build and left an invalid index); otherwise `building`.
 */
export async function declaredIndexStatus (app: AppContext, def: EntityDef): Promise<Array<Record<string, unknown>>> {
  const names = (def.indexes ?? []).map((ix) => declaredIndexName(def, ix))
  const rows = names.length === 0
    ? []
    : await app.sql<CatalogState[]>`
    SELECT d0.name, CASE WHEN t.oid IS NULL THEN NULL ELSE i.indisvalid END AS valid, d.status, d.error,
      EXISTS (SELECT 1 FROM pg_stat_progress_create_index p WHERE p.relid = t.oid) AS building
    FROM unnest(${names}::text[]) AS d0(name)
    LEFT JOIN _declared_indexes d ON d.name = d0.name AND d.table_name = ${def.table}
    LEFT JOIN pg_class c ON c.relname = d0.name AND c.relnamespace = 'public'::regnamespace
    LEFT JOIN pg_index i ON i.indexrelid = c.oid
    LEFT JOIN pg_class t ON t.oid = i.indrelid AND t.relname = ${def.table}
    WHERE d.name IS NOT NULL OR c.oid IS NOT NULL`
  const byName = new Map(rows.map((r) => [r.name, r]))
  return (def.indexes ?? []).map((ix, i) => {
    const name = names[i] as string
    const r = byName.get(name)
    let status: IndexStatus = 'building'
    let error = r?.error ?? undefined
    if (r?.valid === true) status = 'ready'
    else if (r?.status === 'failed') status = 'failed'
    else if (r?.status === 'building' && r.valid === false && !r.building) {
      status = 'failed'
      error = 'the build was interrupted (its server stopped); change the entity again to rebuild it'
    }
    return { name, fields: ix.fields, unique: ix.unique === true, where: ix.where ?? {}, status, ...(status === 'failed' && error !== undefined && error !== null ? { error } : {}) }
  })
}
