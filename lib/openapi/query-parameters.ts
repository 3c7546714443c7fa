import { searchableFields } from '../ddl/search-ddl.js'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import { COUNT_MODES } from '../query/index.js'
import { isSortable } from './parameters.js'
import type { ParameterObject } from './types.js'

/**
 * Query-power parameters (docs/QUERYING.md): field selection, count modes, keyset
 * pagination, full-text search, conditional requests and aggregates.
 */

function list (name: string, description: string, values: string[]): ParameterObject {
  return { name, in: 'query', description, schema: { type: 'array', items: { type: 'string', enum: values }, uniqueItems: true }, style: 'form', explode: false }
}

export function fieldsParameter (entity: CompiledEntity): ParameterObject {
  return list('fields', 'Fields to return (the primary key always is); `fields[<include path>]=a,b` selects the fields of an included relation. Unknown field → `UNKNOWN_FIELD`.', entity.fieldList.map((f) => f.name))
}

/** `search` when the entity has searchable fields. */
export function searchParameter (entity: CompiledEntity): ParameterObject[] {
  const fields = searchableFields(entity.def)
  if (fields.length === 0) return []
  return [{ name: 'search', in: 'query', description: `Full-text search over ${fields.join(', ')} (websearch syntax: words, "phrases", or, -word); rank order unless \`sort\` is given.`, schema: { type: 'string', maxLength: 1000 } }]
}

/** count, cursor, paginate, fields, search of the list operation. */
export function queryPowerParameters (entity: CompiledEntity): ParameterObject[] {
  return [
    fieldsParameter(entity),
    { name: 'count', in: 'query', description: '`exact` (default): `meta.total`; `estimated`: the planner estimate past 10,000 rows (`meta.total_estimated`); `none`: no total.', schema: { type: 'string', enum: [...COUNT_MODES], default: 'exact' } },
    { name: 'cursor', in: 'query', description: 'Keyset pagination: the `meta.next_cursor` of the previous page (same `sort`). Opaque and signed: an altered cursor is 400. Not with `page`.', schema: { type: 'string' } },
    { name: 'paginate', in: 'query', description: '`cursor` for the first keyset page (answers `meta.next_cursor`).', schema: { type: 'string', enum: ['offset', 'cursor'] } },
    ...searchParameter(entity)
  ]
}

/** `If-None-Match` (GET by id) / `If-Match` (PUT, DELETE). */
export function conditionalHeader (name: 'If-None-Match' | 'If-Match'): ParameterObject {
  const description = name === 'If-None-Match'
    ? 'ETag of the copy the client holds: 304 without a body while the record is unchanged.'
    : 'ETag the client read: 412 `PRECONDITION_FAILED` when the record changed since (nothing is written).'
  return { name, in: 'header', description, schema: { type: 'string' } }
}

/** Parameters of `GET /<entity>/_aggregate`. */
export function aggregateParameters (entity: CompiledEntity): ParameterObject[] {
  const groupable = entity.fieldList.filter(isSortable).map((f) => f.name)
  const numeric = entity.fieldList.filter((f: CompiledField) => f.spec.numeric).map((f) => f.name)
  const ordered = entity.fieldList.filter((f) => f.spec.ordered).map((f) => f.name)
  const out: ParameterObject[] = [list('group_by', 'Fields to group by.', groupable), { name: 'count', in: 'query', description: '`*`: rows per group (the default when no other function is asked).', schema: { type: 'string', enum: ['*'] } }]
  if (numeric.length > 0) out.push(list('sum', 'Fields to sum (text, like decimal values).', numeric), list('avg', 'Fields to average.', numeric))
  if (ordered.length > 0) out.push(list('min', 'Fields to take the minimum of.', ordered), list('max', 'Fields to take the maximum of.', ordered))
  out.push(
    { name: 'sort', in: 'query', description: 'A group field, `count` or `<func>.<field>` (e.g. `sum.total`); `-` for descending.', schema: { type: 'string' } },
    { name: 'limit', in: 'query', description: 'At most this many groups.', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 1000 } },
    ...searchParameter(entity)
  )
  return out
}
