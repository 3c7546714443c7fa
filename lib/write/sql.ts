import type { Sql } from '../db/connection.js'
import { translatePgError } from '../db/pg-errors.js'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import type { Location } from './types.js'

/** Anything that runs parameterized SQL: the pool or a transaction. */
export type Queryable = Pick<Sql, 'unsafe'>
export type Row = Record<string, unknown>
export type SqlParam = string | number | boolean | null | ReadonlyArray<string | number>

/**
 * Cast appended to a `$n` placeholder bound to this field: explicit, so untyped text parameters
 * always work and JSON reaches PostgreSQL as JSONB (lib/fields: `cast`).
 */
export function castOf (field: CompiledField): string {
  return field.spec.cast
}

/** Cast for an array of keys of this field (`= ANY($1::uuid[])`). Keys are never JSON. */
export function arrayCastOf (field: CompiledField): string {
  return `${field.spec.cast}[]`
}

/** Converts a payload value into the parameter postgres.js sends for this field. */
export function toParam (field: CompiledField, value: unknown): SqlParam {
  if (value === null || value === undefined) return null
  return field.spec.toParam(value)
}

/** Statement text with `$n` placeholders and the values bound to them. */
export interface Statement {
  text: string
  params: SqlParam[]
}

/** Error context of a statement: the record it writes, for 409/422 details. */
export interface ErrorSite {
  entity: CompiledEntity
  loc: Location
}

/**
 * Runs one prepared, parameterized statement. Driver errors PostgreSQL reports as client
 * mistakes (unique, FK, NOT NULL...) become API errors naming the field, relation and index;
 * anything else is rethrown untouched (the HTTP layer turns it into a 500).
 */
export async function run (q: Queryable, stmt: Statement, site: ErrorSite): Promise<Row[]> {
  try {
    return await q.unsafe<Row[]>(stmt.text, stmt.params, { prepare: true })
  } catch (err) {
    throw translateAt(err, site)
  }
}

function translateAt (err: unknown, site: ErrorSite): unknown {
  const api = translatePgError(err, { fieldForConstraint: (c) => site.entity.constraintFields.get(c) })
  if (api === null) return err
  const { path, relation, index } = site.loc
  if (api.details !== undefined) {
    api.details = api.details.map((d) => ({
      ...d,
      ...(d.field !== undefined && path !== '' ? { field: `${path}.${d.field}` } : {}),
      ...(relation !== undefined ? { relation } : {}),
      ...(index !== undefined ? { index } : {})
    }))
  }
  return api
}

interface StatementCache {
  fixed: Map<string, string>
}

/** Statement texts per entity; the WeakMap lets a replaced registry's entries be collected. */
const cache = new WeakMap<CompiledEntity, StatementCache>()
const MAX_SHAPES = 256

function cacheOf (entity: CompiledEntity): StatementCache {
  let c = cache.get(entity)
  if (c === undefined) {
    c = { fixed: new Map() }
    cache.set(entity, c)
  }
  return c
}

function memo (map: Map<string, string>, key: string, build: () => string): string {
  let text = map.get(key)
  if (text === undefined) {
    // Column combinations are bounded in practice; the cap only guards against pathological clients.
    if (map.size >= MAX_SHAPES) map.clear()
    text = build()
    map.set(key, text)
  }
  return text
}

function andLive (entity: CompiledEntity, live: boolean): string {
  return live && entity.liveCondition !== '' ? ` AND ${entity.liveCondition}` : ''
}

/** Rows whose `field` is in `$1`, locked in PK order (a stable lock order avoids deadlocks). */
export function selectForUpdate (entity: CompiledEntity, field: CompiledField, live: boolean): string {
  return memo(cacheOf(entity).fixed, `sel:${field.name}:${String(live)}`, () =>
    `SELECT ${entity.selectColumns} FROM ${entity.table} WHERE ${field.column} = ANY($1${arrayCastOf(field)})${andLive(entity, live)} ORDER BY ${entity.pk.column} FOR UPDATE`)
}

/** Values of `field` among `$1` that exist in live rows. */
export function liveKeysStatement (entity: CompiledEntity, field: CompiledField): string {
  return memo(cacheOf(entity).fixed, `keys:${field.name}`, () =>
    `SELECT ${field.column} AS k FROM ${entity.table} WHERE ${field.column} = ANY($1${arrayCastOf(field)})${andLive(entity, true)}`)
}

/** Whether any live row has `field` in `$1`. */
export function existsStatement (entity: CompiledEntity, field: CompiledField): string {
  return memo(cacheOf(entity).fixed, `exists:${field.name}`, () =>
    `SELECT 1 AS x FROM ${entity.table} WHERE ${field.column} = ANY($1${arrayCastOf(field)})${andLive(entity, true)} LIMIT 1`)
}

/**
 * A parameter as the element text of a `text[]` literal (`textArrayLiteral`), cast back per field
 * by the statement (row-sql.ts unnest statements): postgres.js would type an array by its first element.
 */
export function paramText (p: SqlParam): string | null {
  return p === null || typeof p === 'string' ? p : String(p)
}

/**
 * A PostgreSQL array literal of text elements (`{"a","b",NULL}`), sent as the value of an
 * `$n::text[]` parameter (postgres.js passes a string through as is): one pass over the
 * elements, where postgres.js would escape each one with two regular expressions and join a
 * mapped copy. Every element is quoted; `\` and `"` inside it are escaped. Built with `join`,
 * which makes one flat string: appending element by element makes a tree of string pieces
 * (~3 per element) that a bulk create holds while its INSERT waits for a connection.
 */
export function textArrayLiteral (xs: ReadonlyArray<string | null>): string {
  const parts = new Array<string>(xs.length)
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]
    parts[i] = x === null || x === undefined ? 'NULL' : `"${x.includes('"') || x.includes('\\') ? x.replace(/[\\"]/g, '\\$&') : x}"`
  }
  return `{${parts.join(',')}}`
}

/** Ordered field list and parameters for the values being written (unknown keys skipped). */
export function columnsOf (entity: CompiledEntity, values: Record<string, unknown>): { fields: CompiledField[], params: SqlParam[] } {
  const fields: CompiledField[] = []
  const params: SqlParam[] = []
  for (const f of entity.fieldList) {
    if (!Object.hasOwn(values, f.name)) continue
    fields.push(f)
    params.push(toParam(f, values[f.name]))
  }
  return { fields, params }
}
