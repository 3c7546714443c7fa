import { didYouMean, invalidPayload, unknownField, type ApiError } from '../errors.js'
import { FIELD_TYPE_SPECS, FieldValueError } from '../fields/index.js'
import type { CompiledEntity, CompiledField, RelationEdge } from '../metadata/compiled.js'
import { FilterTree, filterKeySegments, parseFilterTree } from './filter-tree.js'
import { fieldsPathOf, selectionOf, type Selection } from './selection.js'
import { decodeCursor, keysetTerms } from './cursor.js'
import { searchableFields, searchConfigOf } from '../ddl/search-ddl.js'
import { COUNT_MODES, FILTER_OPS, type FilterOp, type ListQuery, type SortTerm, type SqlFilter, type SqlSearch } from './types.js'

export const DEFAULT_PER_PAGE = 25
export const MAX_PER_PAGE = 100

const POSITIVE_INT_RE = /^[0-9]{1,16}$/
const OPS: ReadonlySet<string> = new Set(FILTER_OPS)
const ORDERED_OPS: ReadonlySet<FilterOp> = new Set<FilterOp>(['gt', 'gte', 'lt', 'lte'])
const PATTERN_OPS: ReadonlySet<FilterOp> = new Set<FilterOp>(['like', 'ilike'])
const LIST_PARAMS = ['filter[...]', 'sort', 'page', 'per_page', 'include', 'fields', 'fields[...]', 'count', 'cursor', 'paginate', 'search']
const searchConfigs = new WeakMap<CompiledEntity, string | null>()

/** The entity's text search configuration, or null without searchable fields (per compiled entity). */
function searchConfig (entity: CompiledEntity): string | null {
  let c = searchConfigs.get(entity)
  if (c === undefined) {
    c = searchableFields(entity.def).length > 0 ? searchConfigOf(entity.def) : null
    searchConfigs.set(entity, c)
  }
  return c
}

/** `search=terms` (websearch syntax: words, "phrases", or, -not); empty = no search. */
export function parseSearch (entity: CompiledEntity, raw: string): SqlSearch | undefined {
  if (raw.trim() === '') return undefined
  const config = searchConfig(entity)
  if (config === null) throw invalidPayload(`Query parameter 'search': ${entity.name} has no searchable fields`, [{ field: 'search', message: 'the entity has no searchable fields' }])
  if (raw.includes('\u0000')) throw invalidPayload("Query parameter 'search' must not contain NUL characters", [{ field: 'search', message: 'must not contain NUL characters' }])
  if (raw.length > 1000) throw invalidPayload("Query parameter 'search' is too long", [{ field: 'search', message: 'at most 1000 characters' }])
  return { config, text: raw }
}
const parseBoolean = FIELD_TYPE_SPECS.boolean.fromQuery

/** A raw query value must be a single string: repeated keys arrive as arrays and are refused. */
function single (key: string, raw: unknown): string {
  if (typeof raw === 'string') return raw
  const message = Array.isArray(raw) ? 'must be given only once' : 'must be a string'
  throw invalidPayload(`Query parameter '${key}' ${message}`, [{ field: key, message }])
}

function badFilter (field: string, rule: string, message: string): ApiError {
  return invalidPayload(`Invalid filter on '${field}': ${message}`, [{ field, rule, message }])
}

function lookupField (entity: CompiledEntity, name: string, where: string): CompiledField {
  const field = entity.fields.get(name)
  if (field !== undefined) return field
  const message = `unknown field '${name}' in ${where}${didYouMean(name, entity.fields.keys())}`
  throw unknownField(message.charAt(0).toUpperCase() + message.slice(1), [{ field: name, message }])
}

/** Converts one query-string value to the field's type (FieldValueError → INVALID_PAYLOAD). */
function convert (field: CompiledField, raw: string): unknown {
  // PostgreSQL refuses NUL in text; catching it here keeps it a 400 instead of a driver 500.
  if (raw.includes('\u0000')) throw badFilter(field.name, 'type', 'must not contain NUL characters')
  let value: unknown
  try {
    value = field.spec.fromQuery(raw)
  } catch (err) {
    if (err instanceof FieldValueError) throw badFilter(field.name, 'type', err.message)
    throw err
  }
  if (!field.spec.inRange(value)) throw badFilter(field.name, 'type', 'is out of range')
  return value
}

/** Counted by hand: `/\\+$/` backtracks quadratically on long runs of backslashes. */
function trailingBackslashes (raw: string): number {
  let i = raw.length
  while (i > 0 && raw.charCodeAt(i - 1) === 92) i--
  return raw.length - i
}

function checkApplicable (field: CompiledField, op: FilterOp): void {
  if (ORDERED_OPS.has(op) && !field.spec.ordered) throw badFilter(field.name, 'operator', `operator '${op}' does not apply to ${field.type} fields`)
  if (PATTERN_OPS.has(op) && !field.spec.textual) {
    throw badFilter(field.name, 'operator', `operator '${op}' applies to string and text fields only`)
  }
}

/**
 * Converts a filter value given as query-string text. `in`/`not_in` take a comma list (an
 * empty list matches nothing / everything); `like`/`ilike` take the pattern as given (`%`, `_`).
 */
export function filterValue (field: CompiledField, op: FilterOp, raw: string): unknown {
  checkApplicable(field, op)
  switch (op) {
    case 'is_null':
      try {
        return parseBoolean(raw)
      } catch {
        throw badFilter(field.name, 'type', 'is_null takes true or false')
      }
    case 'in':
    case 'not_in':
      return raw === '' ? [] : raw.split(',').map((v) => convert(field, v))
    case 'like':
    case 'ilike': {
      // A pattern ending in an unpaired escape character is a PostgreSQL error (22025).
      if (trailingBackslashes(raw) % 2 === 1) throw badFilter(field.name, 'pattern', 'pattern must not end with an escape character')
      return convert(field, raw)
    }
    default:
      return convert(field, raw)
  }
}

/** `a,-b` (a leading `+` decodes to a space in query strings, so both are accepted). */
function parseSort (entity: CompiledEntity, raw: string): SortTerm[] {
  if (raw === '') return []
  const out: SortTerm[] = []
  const seen = new Set<string>()
  for (const part of raw.split(',')) {
    const term = part.trim()
    const desc = term.startsWith('-')
    const name = desc || term.startsWith('+') ? term.slice(1) : term
    if (name === '') throw invalidPayload('Invalid sort: empty field name', [{ field: 'sort', message: 'empty field name' }])
    const field = lookupField(entity, name, 'sort')
    if (!field.spec.comparable) {
      throw invalidPayload(`Cannot sort by '${name}'`, [{ field: name, rule: 'sort', message: `${field.type} fields cannot be sorted` }])
    }
    if (seen.has(name)) continue
    seen.add(name)
    out.push({ field, desc })
  }
  return out
}

function parsePositiveInt (key: string, raw: string): number {
  const n = POSITIVE_INT_RE.test(raw) ? Number(raw) : 0
  if (n < 1) throw invalidPayload(`Query parameter '${key}' must be a positive integer`, [{ field: key, message: 'must be a positive integer' }])
  return n
}

/**
 * Parses `include=a,b` into relation edges of the entity. Empty names are skipped, duplicates
 * collapse; an unknown name is INVALID_PAYLOAD with details `[{field: 'include', relation}]`.
 */
export function parseInclude (entity: CompiledEntity, raw: string): RelationEdge[] {
  const out: RelationEdge[] = []
  for (const part of raw.split(',')) {
    const name = part.trim()
    if (name === '') continue
    const edge = entity.edges.get(name)
    if (edge === undefined) {
      const message = `unknown relation '${name}'${didYouMean(name, entity.edges.keys())}`
      throw invalidPayload(`Invalid include: ${message}`, [{ field: 'include', relation: name, message }])
    }
    if (!out.includes(edge)) out.push(edge)
  }
  return out
}

function unknownParam (key: string, known: string[]): ApiError {
  const message = `unknown query parameter '${key}'${didYouMean(key, known)}`
  return invalidPayload(message.charAt(0).toUpperCase() + message.slice(1), [{ field: key, message }])
}

/** `{filter: {status: 'paid'}}` as produced by qs-style parsers, next to flat `filter[status]` keys. */
function addNestedFilters (tree: FilterTree, raw: unknown): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw unknownParam('filter', LIST_PARAMS)
  tree.add([], raw, 'filter')
}

export interface ListQueryOptions {
  maxPerPage?: number
  /** The registry's entities: relation filters walk them (none given: no relation filters). */
  entities?: ReadonlyMap<string, CompiledEntity>
  /** HMAC key of the app's cursors (`cursorKeyOf`); without it `cursor` is refused. */
  cursorKey?: Buffer
}

function oneOf<T extends string> (key: string, raw: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T
  const message = `must be one of ${allowed.join(', ')}${didYouMean(raw, allowed)}`
  throw invalidPayload(`Query parameter '${key}' ${message}`, [{ field: key, message }])
}

/** `cursor=` / `paginate=cursor`: keyset mode over the sort plus the primary key. */
function keysetOf (entity: CompiledEntity, out: ListQuery, cursor: string | undefined, paginate: string | undefined, pageGiven: boolean, key: Buffer | undefined): ListQuery['keyset'] {
  const mode = paginate === undefined ? undefined : oneOf('paginate', paginate, ['offset', 'cursor'])
  if (cursor === undefined && mode !== 'cursor') return undefined
  if (mode === 'offset') throw invalidPayload("Query parameter 'cursor' cannot be combined with paginate=offset", [{ field: 'cursor', message: 'not with paginate=offset' }])
  if (pageGiven) throw invalidPayload("Query parameter 'page' cannot be combined with cursor pagination", [{ field: 'page', message: 'not with cursor' }])
  const terms = keysetTerms(entity, out.sort)
  if (cursor === undefined || cursor === '') return { terms, after: null }
  if (key === undefined) throw invalidPayload("Query parameter 'cursor' is not supported here", [{ field: 'cursor', message: 'not supported' }])
  return { terms, after: decodeCursor(key, entity, terms, cursor) }
}

/**
 * Parses the query string of `GET /api/:app/:entity` (flat keys as Fastify's querystring
 * parser yields them: `filter[total.gte]`, `sort`, `page`, `per_page`, `include`).
 * Throws UNKNOWN_FIELD (filter/sort field) or INVALID_PAYLOAD (anything else malformed,
 * unknown parameters, repeated keys). `per_page` above the maximum is clamped.
 */
export function parseListQuery (entity: CompiledEntity, query: Record<string, unknown>, opts: ListQueryOptions = {}): ListQuery {
  const out: ListQuery = { filters: [], sort: [], page: 1, perPage: DEFAULT_PER_PAGE, include: [] }
  const maxPerPage = opts.maxPerPage ?? MAX_PER_PAGE
  const entities = opts.entities ?? new Map([[entity.name, entity]])
  const tree = new FilterTree()
  const fieldsOf = new Map<string, string>()
  let include = ''
  let cursor: string | undefined
  let paginate: string | undefined
  for (const key of Object.keys(query)) {
    const raw = query[key]
    if (raw === undefined) continue
    if (key.startsWith('filter[')) {
      tree.add(filterKeySegments(key), single(key, raw), key)
      continue
    }
    const path = fieldsPathOf(key)
    if (path !== undefined) {
      fieldsOf.set(path, single(key, raw))
      continue
    }
    switch (key) {
      case 'filter': addNestedFilters(tree, raw); break
      case 'sort': out.sort = parseSort(entity, single(key, raw)); break
      case 'page': out.page = parsePositiveInt(key, single(key, raw)); break
      case 'per_page': out.perPage = Math.min(parsePositiveInt(key, single(key, raw)), maxPerPage); break
      case 'include': include = single(key, raw); break
      case 'count': out.count = oneOf(key, single(key, raw), COUNT_MODES); break
      case 'cursor': cursor = single(key, raw); break
      case 'paginate': paginate = single(key, raw); break
      case 'search': out.search = parseSearch(entity, single(key, raw)); break
      default: throw unknownParam(key, LIST_PARAMS)
    }
  }
  if (!tree.empty) out.filters = parseFilterTree(entities, entity, tree, filterValue)
  if (out.search !== undefined) out.filters.push(out.search)
  else delete out.search
  if (opts.entities === undefined && fieldsOf.size === 0 && !include.includes('.')) {
    // Without the registry's entities (callers of the one-level API) includes stay plain edges.
    out.include = parseInclude(entity, include)
  } else if (include !== '' || fieldsOf.size > 0) {
    out.select = selectionOf(entities, entity, include, fieldsOf)
    out.include = out.select.includes.map((i) => i.edge)
  }
  const keyset = keysetOf(entity, out, cursor, paginate, query.page !== undefined, opts.cursorKey)
  if (keyset !== undefined) {
    out.keyset = keyset
    // Pages after the first do not count unless asked: the client has the total from page 1 (docs/QUERYING.md).
    if (keyset.after !== null && out.count === undefined) out.count = 'none'
  }
  if (!Number.isSafeInteger((out.page - 1) * out.perPage)) {
    throw invalidPayload("Query parameter 'page' is too large", [{ field: 'page', message: 'is too large' }])
  }
  return out
}

/** Parses the query string of `GET /api/:app/:entity/:id`: `include`, `fields` and `fields[<include>]`. */
export function parseGetQuery (entity: CompiledEntity, query: Record<string, unknown>, entities?: ReadonlyMap<string, CompiledEntity>): { include: RelationEdge[], select?: Selection } {
  const fieldsOf = new Map<string, string>()
  let include = ''
  for (const key of Object.keys(query)) {
    const raw = query[key]
    if (raw === undefined) continue
    const path = fieldsPathOf(key)
    if (path !== undefined) fieldsOf.set(path, single(key, raw))
    else if (key === 'include') include = single(key, raw)
    else throw unknownParam(key, ['include', 'fields', 'fields[...]'])
  }
  if (include === '' && fieldsOf.size === 0) return { include: [] }
  if (entities === undefined && fieldsOf.size === 0 && !include.includes('.')) return { include: parseInclude(entity, include) }
  const select = selectionOf(entities ?? new Map([[entity.name, entity]]), entity, include, fieldsOf)
  return { include: select.includes.map((i) => i.edge), select }
}

function conditionText (value: unknown): string {
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  throw invalidPayload('Condition values must be scalars')
}

/**
 * Builds a SqlFilter from a JSON condition (permission read conditions, docs/reference.md, "Permissions"), converting
 * the value like a query-string value. `eq`/`neq` with null become IS NULL / IS NOT NULL;
 * `in`/`not_in` take an array (a scalar is a one-element list). Resolve `$user.*` references
 * before calling. Throws UNKNOWN_FIELD / INVALID_PAYLOAD like the query parser.
 */
export function filterFromCondition (entity: CompiledEntity, condition: { field: string, operator: string, value: unknown }): SqlFilter {
  const field = lookupField(entity, condition.field, 'condition')
  const op = condition.operator
  if (!OPS.has(op)) throw badFilter(field.name, 'operator', `unknown operator '${op}'`)
  const value = condition.value
  if (value === null || value === undefined) {
    if (op === 'eq' || op === 'neq') return { field, op: 'is_null', value: op === 'eq' }
    throw badFilter(field.name, 'type', `operator '${op}' needs a value`)
  }
  if (op === 'in' || op === 'not_in') {
    checkApplicable(field, op)
    const list = Array.isArray(value) ? value : [value]
    return { field, op, value: list.map((v: unknown) => convert(field, conditionText(v))) }
  }
  return { field, op: op as FilterOp, value: filterValue(field, op as FilterOp, conditionText(value)) }
}
