import type { Query } from '../../api/client.js'
import type { FieldDef, FieldType } from '../../api/types.js'

/** Filter operators of the list query string (SPEC §6): `filter[field.op]=value`. */
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
}

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
}

/** The query string of `GET /api/:app/:entity` for a list state. */
export function listQuery (s: ListState): Query {
  const q: Query = { page: s.page, per_page: s.perPage }
  for (const f of s.filters) {
    if (f.field === '') continue
    q[f.op === 'eq' ? `filter[${f.field}]` : `filter[${f.field}.${f.op}]`] = f.value
  }
  if (s.sort !== null) q.sort = `${s.sort.desc ? '-' : ''}${s.sort.field}`
  if (s.include.length > 0) q.include = s.include.join(',')
  return q
}

/** Next sort after a click on a column header: ascending, descending, none. */
export function nextSort (current: Sort | null, field: string): Sort | null {
  if (current?.field !== field) return { field, desc: false }
  return current.desc ? null : { field, desc: true }
}
