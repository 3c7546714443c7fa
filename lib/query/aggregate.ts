import { didYouMean, invalidPayload, unknownField } from '../errors.js'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import { FilterTree, filterKeySegments, parseFilterTree } from './filter-tree.js'
import { filterValue, parseSearch } from './parse.js'
import { listWhere } from './sql.js'
import type { ReadDeps, ReadExtra, SqlCondition } from './types.js'

/**
 * `GET /:entity/_aggregate` (docs/QUERYING.md): `group_by`, `count`, `sum`, `avg`, `min`,
 * `max` over the rows the caller may read, with the list's filters (groups, relation filters)
 * and `search`.
 */

export const MAX_GROUPS = 1000
const FUNCS = ['sum', 'avg', 'min', 'max'] as const
type Func = typeof FUNCS[number]
const PARAMS = ['group_by', 'count', ...FUNCS, 'filter[...]', 'search', 'sort', 'limit']

export interface AggregateQuery {
  groupBy: CompiledField[]
  count: boolean
  funcs: Array<{ func: Func, field: CompiledField }>
  filters: SqlCondition[]
  order: Array<{ key: string, desc: boolean }>
  limit: number
}

function bad (param: string, message: string): Error {
  return invalidPayload(`Invalid query parameter '${param}': ${message}`, [{ field: param, message }])
}

function text (key: string, raw: unknown): string {
  if (typeof raw !== 'string') throw bad(key, 'must be given once, as text')
  return raw
}

function fieldsOf (entity: CompiledEntity, param: string, raw: string, ok: (f: CompiledField) => string | null): CompiledField[] {
  const out: CompiledField[] = []
  for (const part of raw.split(',')) {
    const name = part.trim()
    if (name === '') continue
    const f = entity.fields.get(name)
    if (f === undefined) {
      const message = `unknown field '${name}' in ${param}${didYouMean(name, entity.fields.keys())}`
      throw unknownField(message.charAt(0).toUpperCase() + message.slice(1), [{ field: name, message }])
    }
    const problem = ok(f)
    if (problem !== null) throw bad(param, `${name}: ${problem}`)
    if (!out.includes(f)) out.push(f)
  }
  return out
}

const opaque = (f: CompiledField): string | null => (f.spec.comparable ? null : `${f.type} fields cannot be grouped or compared`)
const numeric = (f: CompiledField): string | null => (f.spec.numeric ? null : 'only int, bigint and decimal fields can be summed or averaged')
const ordered = (f: CompiledField): string | null => (f.spec.ordered ? null : `${f.type} fields have no order`)

function parseSort (q: AggregateQuery, raw: string): void {
  for (const part of raw.split(',')) {
    const term = part.trim()
    if (term === '') continue
    const desc = term.startsWith('-')
    const key = desc || term.startsWith('+') ? term.slice(1) : term
    const known = key === 'count' ? q.count : q.groupBy.some((f) => f.name === key) || q.funcs.some((a) => `${a.func}.${a.field.name}` === key)
    if (!known) throw bad('sort', `'${key}' is neither a group_by field nor a requested aggregate (count, sum.<field>, ...)`)
    q.order.push({ key, desc })
  }
}

export function parseAggregateQuery (entity: CompiledEntity, entities: ReadonlyMap<string, CompiledEntity>, query: Record<string, unknown>): AggregateQuery {
  const q: AggregateQuery = { groupBy: [], count: false, funcs: [], filters: [], order: [], limit: MAX_GROUPS }
  const tree = new FilterTree()
  let sort = ''
  for (const [key, raw] of Object.entries(query)) {
    if (raw === undefined) continue
    if (key.startsWith('filter[')) { tree.add(filterKeySegments(key), text(key, raw), key); continue }
    if (key === 'filter') { tree.add([], raw, 'filter'); continue }
    const value = text(key, raw)
    switch (key) {
      case 'group_by': q.groupBy = fieldsOf(entity, key, value, opaque); break
      case 'count':
        if (value !== '*' && value !== '' && value !== 'true') throw bad(key, 'use count=* (rows per group)')
        q.count = true
        break
      case 'sum': case 'avg': for (const f of fieldsOf(entity, key, value, numeric)) q.funcs.push({ func: key, field: f }); break
      case 'min': case 'max': for (const f of fieldsOf(entity, key, value, ordered)) q.funcs.push({ func: key, field: f }); break
      case 'search': { const s = parseSearch(entity, value); if (s !== undefined) q.filters.push(s); break }
      case 'sort': sort = value; break
      case 'limit': {
        const n = /^[0-9]{1,4}$/.test(value) ? Number(value) : 0
        if (n < 1 || n > MAX_GROUPS) throw bad(key, `must be an integer from 1 to ${MAX_GROUPS}`)
        q.limit = n
        break
      }
      default: {
        const message = `unknown query parameter '${key}'${didYouMean(key, PARAMS)}`
        throw invalidPayload(message.charAt(0).toUpperCase() + message.slice(1), [{ field: key, message }])
      }
    }
  }
  if (!q.count && q.funcs.length === 0) q.count = true
  // A group field named `count`, `sum`, `avg`, `min` or `max` would share its key in the answer
  // with that aggregate, and one value would silently replace the other.
  for (const f of q.groupBy) {
    if (f.name === 'count' ? q.count : q.funcs.some((a) => a.func === f.name)) {
      throw bad('group_by', `${f.name}: the answer's '${f.name}' key holds that aggregate; group by ${f.name} with other aggregates only (count is the default when none is asked for)`)
    }
  }
  if (!tree.empty) q.filters.push(...parseFilterTree(entities, entity, tree, filterValue))
  parseSort(q, sort)
  return q
}

/**
 * One SELECT … GROUP BY. Output columns are aliased `_g0…` (group fields), `_count` and `_a0…`
 * (aggregates in `q.funcs` order): names start with `_`, which no field name can (NAME_PATTERN),
 * so a field called `count` or `a0` never makes a column ambiguous.
 */
function buildSql (entity: CompiledEntity, q: AggregateQuery, extra: ReadExtra): { text: string, params: unknown[] } {
  const params: unknown[] = []
  const where = listWhere(entity, { filters: q.filters, where: extra.where, readWhere: extra.includeWhere }, params)
  const cols = q.groupBy.map((f) => f.column)
  const select = cols.map((c, i) => `${c} AS "_g${i}"`)
  if (q.count) select.push('count(*) AS "_count"')
  q.funcs.forEach((a, i) => select.push(`${a.func}(${a.field.column}) AS "_a${i}"`))
  const alias = (key: string): string => {
    if (key === 'count') return '"_count"'
    const g = q.groupBy.findIndex((f) => f.name === key)
    if (g >= 0) return `"_g${g}"`
    return `"_a${q.funcs.findIndex((a) => `${a.func}.${a.field.name}` === key)}"`
  }
  const order = q.order.length > 0 ? q.order.map((o) => `${alias(o.key)} ${o.desc ? 'DESC' : 'ASC'}`) : cols.map((_, i) => `"_g${i}" ASC`)
  params.push(q.limit)
  // The groups are computed in a MATERIALIZED CTE so that `LIMIT $n` cannot steer the plan.
  // A prepared statement soon runs a generic plan, which assumes an unknown LIMIT keeps 10 % of
  // the rows and so prefers a GroupAggregate over an ordered index scan (it could stop early).
  // Every group is needed anyway to sort by an aggregate, and once writes have cleared the
  // visibility map that index scan fetches every heap row: 2× the CPU of the seq scan + hash
  // aggregate chosen with the limit known (measured on the bench's 50k invoices after updates).
  const grouped = `SELECT ${select.join(', ')} FROM ${entity.table}${where}` +
    (cols.length > 0 ? ` GROUP BY ${cols.join(', ')}` : '')
  const text = `WITH g AS MATERIALIZED (${grouped}) SELECT * FROM g` +
    (order.length > 0 ? ` ORDER BY ${order.join(', ')}` : '') + ` LIMIT $${params.length}`
  return { text, params }
}

/** The groups as `{<group fields>, count, sum: {f}, avg: {f}, min: {f}, max: {f}}`. */
export async function aggregate (deps: ReadDeps, entity: CompiledEntity, q: AggregateQuery, extra: ReadExtra): Promise<Array<Record<string, unknown>>> {
  const { text: sql, params } = buildSql(entity, q, extra)
  const rows = await deps.sql.unsafe<Array<Record<string, unknown>>>(sql, params as never[], { prepare: true })
  return rows.map((r) => {
    const out: Record<string, unknown> = {}
    q.groupBy.forEach((f, i) => { out[f.name] = r[`_g${i}`] })
    if (q.count) out.count = Number(r._count)
    q.funcs.forEach((a, i) => {
      const bucket = (out[a.func] ??= {}) as Record<string, unknown>
      const v = r[`_a${i}`]
      // Sums of int/bigint are bigint/numeric in PostgreSQL: text, like decimal record values.
      bucket[a.field.name] = typeof v === 'bigint' ? v.toString() : v
    })
    return out
  })
}
