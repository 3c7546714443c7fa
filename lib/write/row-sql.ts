import { canReturnOld } from '../db/capabilities.js'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import { quoteIdent } from '../metadata/registry.js'
import type { WriteHooks } from './hooks.js'
import { arrayCastOf, castOf, type Row, type SqlParam } from './sql.js'

/**
 * The statements that write rows, and the SQL hooks add to them.
 *
 * Every row write is one statement that returns the written rows: new values under the field
 * names and, for updates and deletes, the previous values under `oldColumn(field)` (PostgreSQL
 * 18's `RETURNING old.*`). A hook's `rowSql` adds a data-modifying CTE to that statement which
 * reads the written rows — the audit row is written that way — so what a hook records about a
 * write costs no round trip of its own and commits or rolls back with it, even when the
 * statement runs alone outside an explicit transaction. Texts are built once per statement
 * shape (entity, kind, written fields, lookup, hooks) and cached with the compiled entity.
 */

/** What a statement does to rows. */
export type RowStatementKind = 'insert' | 'update' | 'soft_delete' | 'hard_delete' | 'nullify'

/** What a hook's `rowSql` is built for; the text depends on nothing else. */
export interface RowSqlShape {
  entity: CompiledEntity
  action: 'create' | 'update' | 'delete'
  /** Fields the statement writes (create/update), in entity order; every field for delete. */
  fields: readonly CompiledField[]
  /** The CTE of written rows (quoted): `new` values by field name, previous ones under `oldColumn`. */
  rows: string
  /** The first `$n` the hook's placeholders may use; its `params` fill them in order. */
  firstParam: number
  /**
   * A jsonb SQL expression, over the rows as `w`, of a written row with every field shown as the
   * API shows it: `'new'` the row after the write (create/update), `'old'` before it
   * (update/delete). Rendered once per statement for all the hooks that ask (`hookSql`), so
   * calling it changes `rows` to a CTE carrying the rendering as well.
   */
  rendered: (which: Rendered) => string
}

/** Which side of a write `RowSqlShape.rendered` renders. */
export type Rendered = 'new' | 'old'

/** SQL that rides on the statement writing a row (see the module comment). */
export interface RowSql {
  /** The body of a data-modifying CTE (`INSERT … SELECT … FROM <rows>`); '' for nothing. */
  text: (shape: RowSqlShape) => string
  /** How many placeholders its text uses (the same for every shape). */
  paramCount: number
  /** Values of those placeholders for one statement, in order. */
  params: (ctx: RowSqlContext) => SqlParam[]
}

/** Who writes what, for a hook's `rowSql` parameters. */
export interface RowSqlContext {
  entity: CompiledEntity
  user: { id: string } | null
}

const OLD = '__old.'

/** Result column holding a field's previous value (update/delete statements). */
export function oldColumn (field: CompiledField): string {
  return quoteIdent(OLD + field.name)
}

/** Result keys of the previous values, per entity field (built once per compiled entity). */
const oldKeys = new WeakMap<CompiledEntity, readonly string[]>()

function oldKeysOf (entity: CompiledEntity): readonly string[] {
  let keys = oldKeys.get(entity)
  if (keys === undefined) {
    keys = entity.fieldList.map((f) => OLD + f.name)
    oldKeys.set(entity, keys)
  }
  return keys
}

/** The entity's row and, when the statement returned them, its previous values, from one result row. */
export function splitReturned (entity: CompiledEntity, returned: Row): { row: Row, old: Row | null } {
  const keys = oldKeysOf(entity)
  const fields = entity.fieldList
  const pkAt = fields.indexOf(entity.pk)
  if (!Object.hasOwn(returned, keys[pkAt] as string)) return { row: returned, old: null }
  const row: Row = {}
  const old: Row = {}
  for (let i = 0; i < fields.length; i++) {
    const name = (fields[i] as CompiledField).name
    row[name] = returned[name]
    old[name] = returned[keys[i] as string]
  }
  return { row, old }
}

/** The JSON an API client sees for a column value (matching the record serializer), as a jsonb SQL expression. */
export function jsonOf (field: CompiledField, expr: string): string {
  return field.spec.jsonSql(expr)
}

/** A field's value as the API shows it, as SQL whose `to_jsonb` is `jsonOf` (text for timestamps, decimals, bigints and dates). */
function shownOf (field: CompiledField, expr: string): string {
  return field.spec.shownSql(expr)
}

/** Columns `hookSql`'s rendering CTE adds to the written rows (no field's column can be named so). */
const RENDERED_COLUMN: Readonly<Record<Rendered, string>> = { new: '"__new_json"', old: '"__old_json"' }

/**
 * The written rows of CTE `rows` (every column) plus each requested side rendered as one jsonb
 * object: `to_jsonb` of a row of the fields' shown values (keys the field names; NULL → null).
 */
function renderedRows (entity: CompiledEntity, rows: string, wanted: ReadonlySet<Rendered>): string {
  const columns = ['w.*']
  const laterals: string[] = []
  for (const which of wanted) {
    const alias = which === 'new' ? '"__n"' : '"__p"'
    const values = entity.fieldList.map((f) => `${shownOf(f, which === 'new' ? `w.${f.column}` : `w.${oldColumn(f)}`)} AS ${quoteIdent(f.name)}`)
    columns.push(`to_jsonb(${alias}) AS ${RENDERED_COLUMN[which]}`)
    laterals.push(` CROSS JOIN LATERAL (SELECT ${values.join(', ')}) ${alias}`)
  }
  return `SELECT ${columns.join(', ')} FROM ${rows} w${laterals.join('')}`
}

/**
 * The hooks' SQL for the rows a statement writes (CTE `rows`, a quoted name): their CTE bodies
 * in hook order (empty ones left out) and, when a hook asked for `RowSqlShape.rendered`, the
 * CTE rendering the rows once for all of them (named after `rows`, to list before the bodies).
 */
export function hookSql (
  tails: readonly RowSql[], at: Pick<RowSqlShape, 'entity' | 'action' | 'fields' | 'rows' | 'firstParam'>
): { rendered: { name: string, body: string } | null, bodies: string[] } {
  const renderedName = `${at.rows.slice(0, -1)}_r"`
  const wanted = new Set<Rendered>()
  const bodies: string[] = []
  let first = at.firstParam
  for (const t of tails) {
    const asked = new Set<Rendered>()
    const shape = (rows: string): RowSqlShape => ({
      entity: at.entity,
      action: at.action,
      fields: at.fields,
      rows,
      firstParam: first,
      rendered: (which) => { asked.add(which); return `w.${RENDERED_COLUMN[which]}` }
    })
    let body = t.text(shape(at.rows))
    if (asked.size > 0 && body !== '') {
      body = t.text(shape(renderedName))
      for (const which of asked) wanted.add(which)
    }
    first += t.paramCount
    if (body !== '') bodies.push(body)
  }
  return { rendered: wanted.size === 0 ? null : { name: renderedName, body: renderedRows(at.entity, at.rows, wanted) }, bodies }
}

/** The `rowSql` of a hooks list, and a statement-cache key naming their hooks (per list: the engine's is fixed). */
const rowSqlByHooks = new WeakMap<readonly WriteHooks[], { key: string, list: readonly RowSql[] }>()

export function rowSqlOf (hooks: readonly WriteHooks[]): { key: string, list: readonly RowSql[] } {
  let found = rowSqlByHooks.get(hooks)
  if (found === undefined) {
    const contributing = hooks.filter((h) => h.rowSql !== undefined)
    found = { key: contributing.map((h) => h.name).join(','), list: contributing.map((h) => h.rowSql as RowSql) }
    rowSqlByHooks.set(hooks, found)
  }
  return found
}

/** Parameters the hooks' SQL adds after the statement's own, appended to `out` (the statement's own parameters) when given. */
export function rowSqlParams (hooks: readonly WriteHooks[], ctx: RowSqlContext, out: SqlParam[] = []): SqlParam[] {
  const { list } = rowSqlOf(hooks)
  for (let i = 0; i < list.length; i++) {
    const more = (list[i] as RowSql).params(ctx)
    for (let j = 0; j < more.length; j++) out.push(more[j] as SqlParam)
  }
  return out
}

/** One statement shape: kind, written fields, the field `update` finds its row by. */
export interface RowStatementShape {
  kind: RowStatementKind
  fields: readonly CompiledField[]
  /** insert: how many rows of these fields it inserts (default 1), each with its own placeholders. */
  rows?: number
  /**
   * insert: any number of rows from one array per field (`$i` = the values of field i), one text
   * for every count; update (PostgreSQL 18): the same, `$n+1` the array of `by` values.
   */
  unnest?: boolean
  /** unnest insert: fields (of `fields`) whose value is the same on every row, sent once (`$i` = that value). */
  uniform?: readonly CompiledField[]
  /** update: the field compared with the last parameter (the PK, or the slug of a URL). */
  by?: CompiledField
  /** nullify: only live rows (soft delete) are updated. */
  liveOnly?: boolean
}

const cache = new WeakMap<CompiledEntity, Map<string, string>>()
const MAX_SHAPES = 512

/**
 * The text of a row-writing statement with the hooks' SQL (cached per shape). Parameters:
 * insert `$1…$n` = fields (then the next row's, for a multi-row insert); update `$1…$n` = fields, `$n+1` = the `by` value; soft delete
 * `$1` = keys, `$2` = the deletion time; hard delete `$1` = keys; nullify (a `set_null` delete
 * policy: `fields` = [the FK], set to NULL where it is in `$1`) `$1` = keys; then the hooks' parameters.
 */
export function rowStatement (entity: CompiledEntity, shape: RowStatementShape, hooks: readonly WriteHooks[]): string {
  let texts = cache.get(entity)
  if (texts === undefined) { texts = new Map(); cache.set(entity, texts) }
  const tails = rowSqlOf(hooks)
  const uniform = shape.uniform === undefined || shape.uniform.length === 0 ? '' : `=${shape.uniform.map((f) => f.name).join(',')}`
  const key = `${canReturnOld() ? '' : 'pre18|'}${shape.kind}|${shape.unnest === true ? 'unnest' : shape.rows ?? 1}|${shape.by?.name ?? ''}|${shape.liveOnly === true ? 'live' : ''}|${shape.fields.map((f) => f.name).join(',')}${uniform}|${tails.key}`
  let text = texts.get(key)
  if (text === undefined) {
    // Field combinations are bounded in practice; the cap only guards against pathological clients.
    if (texts.size >= MAX_SHAPES) texts.clear()
    text = build(entity, shape, tails.list)
    texts.set(key, text)
  }
  return text
}

function build (entity: CompiledEntity, shape: RowStatementShape, tails: readonly RowSql[]): string {
  const { base, action, ownParams } = baseStatement(entity, shape)
  const rows = '"__w"'
  const fields = action === 'delete' ? entity.fieldList : shape.fields
  const { rendered, bodies } = hookSql(tails, { entity, action, fields, rows, firstParam: ownParams + 1 })
  if (bodies.length === 0) return base
  const ctes = [`${rows} AS (${base})`]
  if (rendered !== null) ctes.push(`${rendered.name} AS (${rendered.body})`)
  bodies.forEach((body, i) => ctes.push(`"__t${i}" AS (${body})`))
  return `WITH ${ctes.join(', ')} SELECT * FROM ${rows}`
}

/**
 * `INSERT … SELECT FROM unnest($1::text[], …)`: every column travels as a text array (values as
 * their text, see bulk-create.ts) and is cast per element, so the arrays' types never depend on
 * what postgres.js guesses from the JS values. A `uniform` field (the unit's auto timestamps)
 * travels once, as a plain parameter, rather than as an array repeating it on every row; at
 * least one field must be an array (it gives the row count).
 */
function unnestInsert (entity: CompiledEntity, shape: RowStatementShape, cols: string): string {
  const arrays: string[] = []
  const names: string[] = []
  const values = shape.fields.map((f, i) => {
    if (shape.uniform?.includes(f) === true) return `$${i + 1}${castOf(f)}`
    arrays.push(`$${i + 1}::text[]`)
    names.push(`"c${i}"`)
    return `"u"."c${i}"${castOf(f)}`
  })
  if (arrays.length === 0) throw new Error('an unnest insert needs at least one array column')
  // ORDER BY the ordinality: rows are inserted, and RETURNING gives them back, in array order.
  return `INSERT INTO ${entity.table} (${cols}) SELECT ${values.join(', ')} FROM unnest(${arrays.join(', ')}) WITH ORDINALITY AS "u"(${names.join(', ')}, "o") ORDER BY "u"."o" RETURNING ${entity.selectColumns}`
}

/** Result column of an unnest update: the 1-based position of the row's values in the arrays. */
export const UNNEST_ORDINAL = '__ord'

/**
 * `UPDATE … FROM unnest($1::text[], …, $n+1::text[])`: several rows by their `by` values (array
 * `$n+1`), each set to its own values, with the same parameter layout as the one-row update
 * (arrays instead of values). RETURNING order is not the arrays' order: each row carries the
 * ordinality of its values (`UNNEST_ORDINAL`). The arrays' columns are `__`-named, which no
 * field can be, so the table's columns stay unqualified. A `by` value listed twice would update
 * its row once: callers send distinct values (shared-write.ts).
 */
function unnestUpdate (entity: CompiledEntity, shape: RowStatementShape, returning: string, live: string): string {
  const { fields } = shape
  const by = shape.by ?? entity.pk
  const names = fields.map((_, i) => `"__c${i}"`)
  const sets = fields.map((f, i) => `${f.column} = "__u".${names[i] as string}${castOf(f)}`).join(', ')
  const arrays = [...fields.map((_, i) => `$${i + 1}::text[]`), `$${fields.length + 1}::text[]`]
  return `UPDATE ${entity.table} SET ${sets} FROM unnest(${arrays.join(', ')}) WITH ORDINALITY AS "__u"(${[...names, '"__k"', '"__o"'].join(', ')}) ` +
    `WHERE ${by.column} = "__u"."__k"${castOf(by)}${live} RETURNING ${returning}, "__u"."__o" AS "${UNNEST_ORDINAL}"`
}

function baseStatement (entity: CompiledEntity, shape: RowStatementShape): { base: string, action: RowSqlShape['action'], ownParams: number } {
  if (!canReturnOld() && shape.kind !== 'insert') return baseStatementBefore18(entity, shape)
  const { fields } = shape
  const returningNew = entity.fieldList.map((f) => `new.${f.column}`).join(', ')
  const returningOld = entity.fieldList.map((f) => `old.${f.column} AS ${oldColumn(f)}`).join(', ')
  const pk = entity.pk
  switch (shape.kind) {
    case 'insert': {
      if (fields.length === 0) return { base: `INSERT INTO ${entity.table} DEFAULT VALUES RETURNING ${entity.selectColumns}`, action: 'create', ownParams: 0 }
      const cols = fields.map((f) => f.column).join(', ')
      if (shape.unnest === true) return { base: unnestInsert(entity, shape, cols), action: 'create', ownParams: fields.length }
      const rows = shape.rows ?? 1
      const tuples: string[] = []
      for (let r = 0; r < rows; r++) tuples.push(`(${fields.map((f, i) => `$${r * fields.length + i + 1}${castOf(f)}`).join(', ')})`)
      return { base: `INSERT INTO ${entity.table} (${cols}) VALUES ${tuples.join(', ')} RETURNING ${entity.selectColumns}`, action: 'create', ownParams: rows * fields.length }
    }
    case 'update': {
      const by = shape.by ?? pk
      const live = entity.liveCondition !== '' ? ` AND ${entity.liveCondition}` : ''
      if (shape.unnest === true) return { base: unnestUpdate(entity, shape, `${returningNew}, ${returningOld}`, live), action: 'update', ownParams: fields.length + 1 }
      const sets = fields.map((f, i) => `${f.column} = $${i + 1}${castOf(f)}`).join(', ')
      const base = `UPDATE ${entity.table} SET ${sets} WHERE ${by.column} = $${fields.length + 1}${castOf(by)}${live} RETURNING ${returningNew}, ${returningOld}`
      return { base, action: 'update', ownParams: fields.length + 1 }
    }
    case 'soft_delete': {
      const base = `UPDATE ${entity.table} SET "deleted_at" = $2::timestamptz WHERE ${pk.column} = ANY($1${arrayCastOf(pk)}) RETURNING ${returningNew}, ${returningOld}`
      return { base, action: 'delete', ownParams: 2 }
    }
    case 'nullify': {
      const fk = fields[0] ?? pk
      const live = shape.liveOnly === true && entity.liveCondition !== '' ? ` AND ${entity.liveCondition}` : ''
      const base = `UPDATE ${entity.table} SET ${fk.column} = NULL WHERE ${fk.column} = ANY($1${arrayCastOf(fk)})${live} RETURNING ${returningNew}, ${returningOld}`
      return { base, action: 'update', ownParams: 1 }
    }
    case 'hard_delete':
      return { base: `DELETE FROM ${entity.table} WHERE ${pk.column} = ANY($1${arrayCastOf(pk)}) RETURNING ${returningOld}`, action: 'delete', ownParams: 1 }
  }
}

/**
 * The same statements for PostgreSQL 14–17, which lack `RETURNING old.*` (docs/ARCHITECTURE.md,
 * "PostgreSQL versions"): an update locks and reads the rows it will change in a CTE
 * (`SELECT … FOR UPDATE`) and joins it, so the previous values still come back from the one
 * statement; a DELETE's RETURNING already shows the removed row. Same parameters as above.
 */
function baseStatementBefore18 (entity: CompiledEntity, shape: RowStatementShape): { base: string, action: RowSqlShape['action'], ownParams: number } {
  const pk = entity.pk
  const returningOld = (from: string): string => entity.fieldList.map((f) => `${from}${f.column} AS ${oldColumn(f)}`).join(', ')
  const lockedUpdate = (sets: string, where: string): string => {
    const returningNew = entity.fieldList.map((f) => `"__n".${f.column}`).join(', ')
    return `WITH "__o" AS (SELECT * FROM ${entity.table} WHERE ${where} FOR UPDATE) ` +
      `UPDATE ${entity.table} AS "__n" SET ${sets} FROM "__o" WHERE "__n".${pk.column} = "__o".${pk.column} ` +
      `RETURNING ${returningNew}, ${returningOld('"__o".')}`
  }
  switch (shape.kind) {
    case 'update': {
      const { fields } = shape
      const by = shape.by ?? pk
      const sets = fields.map((f, i) => `${f.column} = $${i + 1}${castOf(f)}`).join(', ')
      const live = entity.liveCondition !== '' ? ` AND ${entity.liveCondition}` : ''
      return { base: lockedUpdate(sets, `${by.column} = $${fields.length + 1}${castOf(by)}${live}`), action: 'update', ownParams: fields.length + 1 }
    }
    case 'soft_delete':
      return { base: lockedUpdate('"deleted_at" = $2::timestamptz', `${pk.column} = ANY($1${arrayCastOf(pk)})`), action: 'delete', ownParams: 2 }
    case 'nullify': {
      const fk = shape.fields[0] ?? pk
      const live = shape.liveOnly === true && entity.liveCondition !== '' ? ` AND ${entity.liveCondition}` : ''
      return { base: lockedUpdate(`${fk.column} = NULL`, `${fk.column} = ANY($1${arrayCastOf(fk)})${live}`), action: 'update', ownParams: 1 }
    }
    case 'hard_delete':
      return { base: `DELETE FROM ${entity.table} WHERE ${pk.column} = ANY($1${arrayCastOf(pk)}) RETURNING ${returningOld('')}`, action: 'delete', ownParams: 1 }
    case 'insert':
      throw new Error('an insert has no previous values')
  }
}
