import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import { rankOrder, renderTerm } from './conditions.js'
import type { FilterOp, SortTerm, SqlAnyOf, SqlCondition, SqlFilter, SqlSearch, SqlText } from './types.js'

/**
 * SQL text for the read path, built from fragments computed once per compiled entity.
 * Identifiers come only from compiled metadata (already quoted), operators from the closed
 * maps below, and every value is a `$n` parameter. Scalars are sent untyped by postgres.js,
 * so PostgreSQL infers each one from the column it is compared with; array parameters carry
 * an explicit `::type[]` cast so their element type never depends on what postgres.js guesses
 * from the JS values.
 */

/**
 * The row version a GET by id also reads (`xmin`: PostgreSQL's id of the transaction that
 * wrote this row version, so it changes on every write): the base of ETags (docs/QUERYING.md).
 */
export const VERSION_COLUMN = '"__version"'
export const VERSION_KEY = '__version'

/** Alias of the target table in include queries (joins need qualified columns). */
export const INCLUDE_ALIAS = 't'

const COMPARISONS: Readonly<Record<Exclude<FilterOp, 'in' | 'not_in' | 'is_null'>, string>> = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  like: 'LIKE',
  ilike: 'ILIKE'
}

interface EntityFragments {
  /** `SELECT "a", "b" FROM "table"` */
  selectFrom: string
  /** `SELECT count(*) AS total FROM "table"` */
  countFrom: string
  /** Field names in select order (rows built from raw values). */
  names: string[]
  /** Position of the primary key among `names`. */
  pkIndex: number
  /** `t."a", t."b"` for include queries. */
  qualifiedColumns: string
  /** `t."deleted_at" IS NULL` or empty. */
  qualifiedLive: string
  /** `"id" ASC` — the tie-breaker that keeps pages stable. */
  pkOrder: string
}

const entityCache = new WeakMap<CompiledEntity, EntityFragments>()
const arrayTypeCache = new WeakMap<CompiledField, string>()

/** Per-entity fragments; computed on first use of each compiled (immutable) entity. */
export function fragmentsOf (entity: CompiledEntity): EntityFragments {
  let f = entityCache.get(entity)
  if (f === undefined) {
    const q = `${INCLUDE_ALIAS}.`
    f = {
      selectFrom: `SELECT ${entity.selectColumns} FROM ${entity.table}`,
      countFrom: `SELECT count(*) AS total FROM ${entity.table}`,
      names: entity.fieldList.map((c) => c.name),
      pkIndex: entity.fieldList.indexOf(entity.pk),
      qualifiedColumns: entity.fieldList.map((c) => q + c.column).join(', '),
      qualifiedLive: entity.softDelete ? `${q}"deleted_at" IS NULL` : '',
      pkOrder: `${entity.pk.column} ASC`
    }
    entityCache.set(entity, f)
  }
  return f
}

/** Element type for `ANY($n::type[])`: the column type without modifiers (NUMERIC(p,s) → NUMERIC). */
export function arrayTypeOf (field: CompiledField): string {
  let t = arrayTypeCache.get(field)
  if (t === undefined) {
    t = field.spec.arrayElementType(field.def)
    arrayTypeCache.set(field, t)
  }
  return t
}

function scalarParam (value: unknown): unknown {
  // A Date would be sent typed as timestamptz; ISO text lets PostgreSQL use the column type.
  return value instanceof Date ? value.toISOString() : value
}

/**
 * An array parameter. postgres.js types an array by its first element, which fails the cast
 * for some types (booleans): those go as an array literal their spec builds.
 */
function arrayParam (field: CompiledField, value: unknown): unknown {
  const list = Array.isArray(value) ? value : [value]
  const literal = field.spec.arrayLiteral
  return literal !== undefined ? literal(list) : list.map(scalarParam)
}

/** Renders one condition, pushing its value onto `params`. `qualifier` is `''` or `t.`. */
export function renderCondition (filter: SqlFilter, params: unknown[], qualifier = ''): string {
  const col = qualifier + filter.field.column
  switch (filter.op) {
    case 'is_null':
      return filter.value === true ? `${col} IS NULL` : `${col} IS NOT NULL`
    case 'in':
      params.push(arrayParam(filter.field, filter.value))
      return `${col} = ANY($${params.length}::${arrayTypeOf(filter.field)}[])`
    case 'not_in':
      params.push(arrayParam(filter.field, filter.value))
      return `${col} <> ALL($${params.length}::${arrayTypeOf(filter.field)}[])`
    default:
      params.push(scalarParam(filter.value))
      return `${col} ${COMPARISONS[filter.op]} $${params.length}`
  }
}

/**
 * Renders an OR of AND-groups as one parenthesized term: `((a AND b) OR c)`. No groups is
 * `FALSE`; an empty group is TRUE, so the whole term is dropped (returns '') and no parameter
 * is pushed.
 */
export function renderAnyOf (cond: SqlAnyOf, params: unknown[], qualifier = ''): string {
  if (cond.any.length === 0) return 'FALSE'
  if (cond.any.some((g) => g.length === 0)) return ''
  const groups = cond.any.map((g) => {
    const terms = g.map((f) => renderCondition(f, params, qualifier))
    return terms.length === 1 ? terms[0] as string : `(${terms.join(' AND ')})`
  })
  return groups.length === 1 ? groups[0] as string : `(${groups.join(' OR ')})`
}

/**
 * ` WHERE a AND b ...` (or empty) from a prebuilt condition (live rows, a key match) plus
 * conditions; every list is ANDed, so permission conditions can only narrow a result.
 */
export function whereClause (base: string[], params: unknown[], filters: ReadonlyArray<readonly SqlCondition[] | undefined>, qualifier = '', readWhere?: (entity: string) => readonly SqlCondition[]): string {
  const parts = base.filter((s) => s !== '')
  const ctx = { params, qualifier, depth: 0, readWhere }
  for (const list of filters) {
    if (list === undefined) continue
    for (const f of list) {
      const term = renderTerm(f, ctx)
      if (term !== '') parts.push(term)
    }
  }
  return parts.length === 0 ? '' : ` WHERE ${parts.join(' AND ')}`
}

/** ` ORDER BY` the requested terms, then the primary key unless already sorted by it. */
export function orderClause (entity: CompiledEntity, sort: readonly SortTerm[]): string {
  if (sort.length === 0) return ` ORDER BY ${fragmentsOf(entity).pkOrder}`
  const terms = sort.map((s) => `${s.field.column} ${s.desc ? 'DESC' : 'ASC'}`)
  if (!sort.some((s) => s.field.isPk)) terms.push(fragmentsOf(entity).pkOrder)
  return ` ORDER BY ${terms.join(', ')}`
}

export interface ListSqlInput {
  filters: readonly SqlCondition[]
  where?: readonly SqlCondition[] | undefined
  /** `search=` without `sort`: rank order. */
  rank?: SqlSearch | undefined
  /** The columns to read (a `fields=` selection); default every field. */
  columns?: readonly CompiledField[] | undefined
  /** Read conditions of related entities, applied inside relation filters. */
  readWhere?: ((entity: string) => readonly SqlCondition[]) | undefined
  sort: readonly SortTerm[]
  limit: number
  offset: number
}

/** WHERE shared by the page and the count, ORDER BY, and the LIMIT/OFFSET placeholders. */
function listParts (entity: CompiledEntity, input: ListSqlInput): { where: string, tail: string, params: unknown[], whereParams: number } {
  const params: unknown[] = []
  const where = whereClause([entity.liveCondition], params, [input.filters, input.where], '', input.readWhere)
  const whereParams = params.length
  // LIMIT/OFFSET are parameters too, so every page of one query shape shares one statement.
  // Only the page uses the rank, after the WHERE's parameters (the count takes those alone).
  const order = input.rank !== undefined && input.sort.length === 0 ? ` ORDER BY ${rankOrder(input.rank, params)}, ${fragmentsOf(entity).pkOrder}` : orderClause(entity, input.sort)
  params.push(input.limit, input.offset)
  const tail = `${order} LIMIT $${params.length - 1} OFFSET $${params.length}`
  return { where, tail, params, whereParams }
}

/** The page query and the count query of a list (same WHERE, the count without LIMIT/OFFSET). */
export function buildListSql (entity: CompiledEntity, input: ListSqlInput): { page: SqlText, count: SqlText } {
  const fr = fragmentsOf(entity)
  const { where, tail, params, whereParams } = listParts(entity, input)
  return {
    page: { text: fr.selectFrom + where + tail, params },
    count: { text: fr.countFrom + where, params: params.slice(0, whereParams) }
  }
}

/**
 * Page and total in one statement (one round trip, one connection): the count joined with
 * the page laterally, so an empty page still yields one row carrying the total. Columns:
 * total, then the entity's fields in `fragmentsOf(entity).names` order (all null when the
 * page is empty). Measured faster than parallel page + count queries, and than skipping
 * the count for partial pages.
 */
export function buildPageWithTotalSql (entity: CompiledEntity, input: ListSqlInput): SqlText {
  const fr = fragmentsOf(entity)
  const { where, tail, params } = listParts(entity, input)
  return { text: `SELECT c.total, p.* FROM (${fr.countFrom}${where}) c LEFT JOIN LATERAL (${selectFromOf(entity, input.columns)}${where}${tail}) p ON true`, params }
}

const selectCache = new WeakMap<readonly CompiledField[], string>()
const namesCache = new WeakMap<readonly CompiledField[], { names: string[], pkIndex: number }>()

/** Field names in select order and the primary key's position, per column list. */
export function namesOf (entity: CompiledEntity, columns: readonly CompiledField[] | undefined): { names: string[], pkIndex: number } {
  if (columns === undefined || columns === entity.fieldList) return fragmentsOf(entity)
  let n = namesCache.get(columns)
  if (n === undefined) {
    n = { names: columns.map((c) => c.name), pkIndex: columns.indexOf(entity.pk) }
    namesCache.set(columns, n)
  }
  return n
}

/** `SELECT <columns> FROM table`, cached per column list (selections are cached, so are their lists). */
export function selectFromOf (entity: CompiledEntity, columns: readonly CompiledField[] | undefined): string {
  if (columns === undefined || columns === entity.fieldList) return fragmentsOf(entity).selectFrom
  let s = selectCache.get(columns)
  if (s === undefined) {
    s = `SELECT ${columns.map((c) => c.column).join(', ')} FROM ${entity.table}`
    selectCache.set(columns, s)
  }
  return s
}

const versionedCache = new WeakMap<readonly CompiledField[], string>()

/** `SELECT … FROM` of the columns with the row version (`xmin`, ETags) in front, cached like `selectFromOf`. */
function versionedSelectOf (entity: CompiledEntity, columns?: readonly CompiledField[]): string {
  const list = columns ?? entity.fieldList
  let s = versionedCache.get(list)
  if (s === undefined) {
    s = selectFromOf(entity, list).replace(/^SELECT /, `SELECT xmin::text AS ${VERSION_COLUMN}, `)
    versionedCache.set(list, s)
  }
  return s
}

/** One live row by the value of `field` (the primary key or the slug field). */
export function buildGetSql (entity: CompiledEntity, field: CompiledField, value: unknown, where?: readonly SqlCondition[], columns?: readonly CompiledField[], version = false): SqlText {
  const params: unknown[] = [value]
  const select = version ? versionedSelectOf(entity, columns) : selectFromOf(entity, columns)
  const text = `${select}${whereClause([entity.liveCondition, `${field.column} = $1`], params, [where])} LIMIT 1`
  return { text, params }
}

/**
 * `buildGetSql` for several keys (lib/query/shared-get.ts): the same columns and conditions, the
 * key `= ANY($1)` (`params[0]` is left for the caller: the keys as an array literal), every
 * matching row.
 */
export function buildGetManySql (entity: CompiledEntity, field: CompiledField, where?: readonly SqlCondition[], columns?: readonly CompiledField[]): SqlText {
  const params: unknown[] = [null]
  const text = `${versionedSelectOf(entity, columns)}${whereClause([entity.liveCondition, `${field.column} = ANY($1${field.spec.cast}[])`], params, [where])}`
  return { text, params }
}

/** The WHERE of a list (filters, read conditions, relation filters) and its parameters. */
export function listWhere (entity: CompiledEntity, input: Pick<ListSqlInput, 'filters' | 'where' | 'readWhere'>, params: unknown[], extra: string[] = []): string {
  return whereClause([entity.liveCondition, ...extra], params, [input.filters, input.where], '', input.readWhere)
}

/** The list's page alone (`count=none` / `estimated`): no count in the statement. */
export function buildPageSql (entity: CompiledEntity, input: ListSqlInput): SqlText {
  const params: unknown[] = []
  const where = listWhere(entity, input, params)
  const order = input.rank !== undefined && input.sort.length === 0 ? ` ORDER BY ${rankOrder(input.rank, params)}, ${fragmentsOf(entity).pkOrder}` : orderClause(entity, input.sort)
  params.push(input.limit, input.offset)
  const n = params.length
  return { text: `${selectFromOf(entity, input.columns)}${where}${order} LIMIT $${n - 1} OFFSET $${n}`, params }
}

/** `SELECT count(*)` of the list's WHERE, stopping at `cap` + 1 rows when a cap is given. */
export function buildCountSql (entity: CompiledEntity, input: ListSqlInput, cap?: number): SqlText {
  const params: unknown[] = []
  const where = listWhere(entity, input, params)
  if (cap === undefined) return { text: fragmentsOf(entity).countFrom + where, params }
  params.push(cap + 1)
  return { text: `SELECT count(*) AS total FROM (SELECT 1 FROM ${entity.table}${where} LIMIT $${params.length}) s`, params }
}

/** The planner's row estimate of the list's WHERE (EXPLAIN, nothing is read). */
export function buildEstimateSql (entity: CompiledEntity, input: ListSqlInput): SqlText {
  const params: unknown[] = []
  const where = listWhere(entity, input, params)
  return { text: `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${entity.table}${where}`, params }
}
