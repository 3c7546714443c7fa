import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import { DEFAULT_PER_PAGE, MAX_PER_PAGE, type FilterOp } from '../query/index.js'
import { idSchema } from './entity-components.js'
import type { ParameterObject, SchemaObject } from './types.js'

/** Whether a field can appear in `sort` (and `group_by`). */
export function isSortable (field: CompiledField): boolean {
  return field.spec.comparable
}

/** Schema of one filter value as written in the query string. */
function valueSchema (field: CompiledField): SchemaObject {
  return field.spec.filterSchema(field.def)
}

const OP_TEXT: Record<FilterOp, string> = {
  eq: 'equals',
  neq: 'differs from',
  gt: 'is greater than',
  gte: 'is greater than or equal to',
  lt: 'is less than',
  lte: 'is less than or equal to',
  in: 'is one of (comma-separated list)',
  not_in: 'is none of (comma-separated list)',
  like: 'matches the pattern, case-sensitive (`%` any run, `_` one character)',
  ilike: 'matches the pattern, case-insensitive (`%` any run, `_` one character)',
  is_null: 'is null (`true`) or is not null (`false`)'
}

function filterParameter (field: CompiledField, op: FilterOp): ParameterObject {
  const name = op === 'eq' ? `filter[${field.name}]` : `filter[${field.name}.${op}]`
  const description = `\`${field.name}\` ${OP_TEXT[op]}.`
  if (op === 'is_null') return { name, in: 'query', description, schema: { type: 'boolean' } }
  if (op === 'like' || op === 'ilike') return { name, in: 'query', description, schema: { type: 'string' } }
  if (op === 'in' || op === 'not_in') {
    return { name, in: 'query', description, schema: { type: 'array', items: valueSchema(field) }, style: 'form', explode: false }
  }
  return { name, in: 'query', description, schema: valueSchema(field) }
}

/** `filter[f]` (equality) and `filter[f.op]` for every field and every operator valid for its type. */
export function filterParameters (entity: CompiledEntity): ParameterObject[] {
  const out: ParameterObject[] = []
  for (const field of entity.fieldList) {
    for (const op of field.spec.operators) {
      out.push(filterParameter(field, op))
      // `filter[f]` is the short form of `filter[f.eq]`; both are accepted.
      if (op === 'eq') out.push({ ...filterParameter(field, op), name: `filter[${field.name}.eq]` })
    }
  }
  return out
}

/** `include=a,b` with the entity's relation edges as the only values; none without edges. */
export function includeParameter (entity: CompiledEntity): ParameterObject[] {
  const names = [...entity.edges.keys()]
  if (names.length === 0) return []
  const eager = entity.eagerEdges.map((e) => e.name)
  const always = eager.length > 0 ? ` Eager relations (${eager.join(', ')}) are always included.` : ''
  return [{
    name: 'include',
    in: 'query',
    description: `Related records to embed, one extra query per relation.${always}`,
    schema: { type: 'array', items: { type: 'string', enum: names }, uniqueItems: true },
    style: 'form',
    explode: false
  }]
}

/** Query parameters of the list operation: filters, sort, page, per_page, include. */
export function listParameters (entity: CompiledEntity): ParameterObject[] {
  const sortable = entity.fieldList.filter(isSortable).flatMap((f) => [f.name, `-${f.name}`])
  return [
    ...filterParameters(entity),
    {
      name: 'sort',
      in: 'query',
      description: 'Sort order: field names, `-` for descending; the primary key breaks ties.',
      schema: { type: 'array', items: { type: 'string', enum: sortable } },
      style: 'form',
      explode: false
    },
    { name: 'page', in: 'query', description: '1-based page number.', schema: { type: 'integer', minimum: 1, default: 1 } },
    {
      name: 'per_page',
      in: 'query',
      description: `Rows per page (larger values are clamped to ${MAX_PER_PAGE}).`,
      schema: { type: 'integer', minimum: 1, maximum: MAX_PER_PAGE, default: DEFAULT_PER_PAGE }
    },
    ...includeParameter(entity)
  ]
}

/** The `{id}` path parameter: primary key, or slug for entities with one. */
export function idParameter (entity: CompiledEntity): ParameterObject {
  const slug = entity.def.slug
  const description = slug !== undefined
    ? `The record's ${entity.pk.name}, or its \`${slug.field}\` slug.`
    : `The record's ${entity.pk.name}.`
  return { name: 'id', in: 'path', required: true, description, schema: idSchema(entity) }
}
