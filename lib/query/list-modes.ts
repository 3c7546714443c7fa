import type { CompiledEntity } from '../metadata/compiled.js'
import { renderKeyset } from './cursor.js'
import { buildCountSql, buildEstimateSql, buildPageSql, listWhere, namesOf, type ListSqlInput } from './sql.js'
import type { ListQuery, ListResult, ReadDeps, SortTerm } from './types.js'

/**
 * Lists with `count=estimated|none` and keyset pages (docs/QUERYING.md); the default exact
 * offset list stays the one-statement page + total of `read.ts`.
 */

type Row = Record<string, unknown>
/** Above this many matching rows `count=estimated` reports the planner's estimate. */
export const EXACT_COUNT_LIMIT = 10_000

async function values (deps: ReadDeps, text: string, params: unknown[]): Promise<unknown[][]> {
  return await deps.sql.unsafe(text, params as never[], { prepare: true }).values() as unknown as unknown[][]
}

async function countOf (deps: ReadDeps, entity: CompiledEntity, q: ListQuery, input: ListSqlInput): Promise<{ total: number | null, estimated: boolean }> {
  if (q.count === 'none') return { total: null, estimated: false }
  if (q.count !== 'estimated') {
    const c = buildCountSql(entity, input)
    return { total: Number((await values(deps, c.text, c.params))[0]?.[0] ?? 0), estimated: false }
  }
  const capped = buildCountSql(entity, input, EXACT_COUNT_LIMIT)
  const exact = Number((await values(deps, capped.text, capped.params))[0]?.[0] ?? 0)
  if (exact <= EXACT_COUNT_LIMIT) return { total: exact, estimated: false }
  const e = buildEstimateSql(entity, input)
  const plan = (await values(deps, e.text, e.params))[0]?.[0] as Array<{ Plan?: { 'Plan Rows'?: number } }> | undefined
  const rows = plan?.[0]?.Plan?.['Plan Rows'] ?? 0
  // The estimate can undershoot what was just counted: never report less than that.
  return { total: Math.max(Math.round(rows), exact), estimated: true }
}

function toRows (result: unknown[][], names: readonly string[], pkIndex: number): Row[] {
  const rows: Row[] = []
  for (const v of result) {
    if (v[pkIndex] === null) continue
    const row: Row = {}
    for (let i = 0; i < names.length; i++) row[names[i] as string] = v[i]
    rows.push(row)
  }
  return rows
}

/** A keyset page: one more row than asked tells whether a next page exists. */
async function keysetPage (deps: ReadDeps, entity: CompiledEntity, input: ListSqlInput, terms: readonly SortTerm[], after: ReadonlyArray<string | null> | null): Promise<{ rows: Row[], next: ReadonlyArray<string | null> | null }> {
  const params: unknown[] = []
  const where = listWhere(entity, input, params, after === null ? [] : [renderKeyset(terms, after, params)])
  params.push(input.limit + 1)
  // Aliased: an output column named like a sort column would make ORDER BY ambiguous.
  const keys = terms.map((t, i) => `${t.field.column}::text AS "_k${i}"`).join(', ')
  const order = terms.map((t) => `${t.field.column} ${t.desc ? 'DESC' : 'ASC'}`).join(', ')
  const cols = (input.columns ?? entity.fieldList).map((c) => c.column).join(', ')
  const text = `SELECT ${cols}, ${keys} FROM ${entity.table}${where} ORDER BY ${order} LIMIT $${params.length}`
  const result = await values(deps, text, params)
  const { names, pkIndex } = namesOf(entity, input.columns)
  const more = result.length > input.limit
  const page = more ? result.slice(0, input.limit) : result
  const last = page[page.length - 1]
  const next = more && last !== undefined ? last.slice(names.length) as Array<string | null> : null
  return { rows: toRows(page, names, pkIndex), next }
}

export async function listWithModes (deps: ReadDeps, entity: CompiledEntity, q: ListQuery, input: ListSqlInput): Promise<ListResult> {
  if (q.keyset !== undefined) {
    const [page, count] = await Promise.all([keysetPage(deps, entity, input, q.keyset.terms, q.keyset.after), countOf(deps, entity, q, input)])
    return { rows: page.rows, next: page.next, ...count }
  }
  const p = buildPageSql(entity, input)
  const [result, count] = await Promise.all([values(deps, p.text, p.params), countOf(deps, entity, q, input)])
  const { names, pkIndex } = namesOf(entity, input.columns)
  return { rows: toRows(result, names, pkIndex), ...count }
}
