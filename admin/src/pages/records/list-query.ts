import type { Query } from '../../api/client.js'
import type { FieldDef, FieldType } from '../../api/types.js'

/** Filter operators of the list query string (docs/reference.md, "Reading"): `filter[field.op]=value`. */
export type FilterOp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'not_in' | 'like' | 'ilike' | 'is_null'

export const OP_LABELS: Record<FilterOp, string> = {
  eq: '=', neq: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤', in: 'in list', not_in: 'not in list', like: 'like', ilike: 'like (any case)', is_null: 'is null'
}

const EQUALITY: FilterOp[] = ['eq', 'neq', 'in', 'not_in', 'is_null']
const ORDERED: FilterOp[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'is_null']

/** The operators the engine accepts for a field type (lib/query/parse.ts: ordered types, pattern ops on text). */
export function opsFor (type: FieldType | string): FilterOp[] {
  switch (type) {
    case 'string':
    case 'text':
      return [...ORDERED, 'like', 'ilike']
    case 'boolean':
      return EQUALITY
    case 'json':
    case 'file':
      return ['is_null']
    default:
      return ORDERED
  }
}

/** json and file columns cannot be sorted. */
export const sortable = (f: FieldDef): boolean => f.type !== 'json' && f.type !== 'file'

export interface FilterRow {
  field: string
  op: FilterOp
  value: string
  /** OR group member (`filter[or][i][...]`, docs/QUERYING.md "Boolean groups"); absent = ANDed at the top. */
  or?: number
}

/** How many OR members the filter builder offers. */
export const OR_MEMBERS = 3

export interface Sort {
  field: string
  desc: boolean
}

export interface ListState {
  filters: FilterRow[]
  sort: Sort | null
  page: number
  perPage: number
  include: string[]
  /** `search=` text; '' = none. */
  search: string
  /** `fields=`; empty = every field. */
  fields: string[]
}

/** The query string of `GET /api/:app/:entity` for a list state. */
export function listQuery (s: ListState): Query {
  const q: Query = { page: s.page, per_page: s.perPage, ...filterQuery(s) }
  if (s.fields.length > 0) q.fields = s.fields.join(',')
  if (s.sort !== null) q.sort = `${s.sort.desc ? '-' : ''}${s.sort.field}`
  if (s.include.length > 0) q.include = s.include.join(',')
  return q
}

/** The filter and search part of the query string (shared by the list and `_aggregate`). */
export function filterQuery (s: Pick<ListState, 'filters' | 'search'>): Query {
  const q: Query = {}
  // OR members are renumbered densely: the engine reads `filter[or][0..n]`.
  const members = [...new Set(s.filters.filter((f) => f.or !== undefined && f.field !== '').map((f) => f.or as number))].sort((a, b) => a - b)
  for (const f of s.filters) {
    if (f.field === '') continue
    const key = f.op === 'eq' ? f.field : `${f.field}.${f.op}`
    q[f.or === undefined ? `filter[${key}]` : `filter[or][${members.indexOf(f.or)}][${key}]`] = f.value
  }
  if (s.search !== '') q.search = s.search
  return q
}

/** Next sort after a click on a column header: ascending, descending, none. */
export function nextSort (current: Sort | null, field: string): Sort | null {
  if (current?.field !== field) return { field, desc: false }
  return current.desc ? null : { field, desc: true }
}
