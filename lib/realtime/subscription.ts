import { didYouMean, invalidPayload, unknownEntity, unknownField, type ApiError } from '../errors.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import { rowTestOf, type RowTest } from '../permissions/match.js'
import { parseListQuery } from '../query/index.js'

/** What one subscriber asked for about one entity. */
export interface EntityInterest {
  entity: string
  /** `filter[entity][field.op]=v` terms, ANDed, evaluated in memory like permission conditions. */
  filters: RowTest[]
  /** The filter terms as given (`field.op=value`, sorted): subscribers with the same text share their view (lib/realtime/views.ts). */
  filterTerms: string[]
  /** `fields[entity]=a,b`: the fields `record`/`old`/`changes` carry; null for every field. */
  fields: readonly string[] | null
  /** Fields the filters test (field permissions refuse hidden ones at subscribe). */
  filterFields: string[]
}

export interface SubscriptionRequest {
  interests: Map<string, EntityInterest>
  /** `Last-Event-ID` / `last_event_id`: resume after this change; null to start live. */
  lastEventId: number | null
}

const NESTED_KEY_RE = /^(filter|fields)\[([^\]]*)\](?:\[([^\]]*)\])?$/
const LAST_ID_RE = /^(0|[1-9][0-9]{0,14})$/
const PARAMS = ['entities', 'filter[<entity>][<field>.<op>]', 'fields[<entity>]', 'last_event_id', 'access_token']
/** `like`/`ilike` need PostgreSQL's pattern semantics, which the in-memory tests do not reproduce. */
const IN_MEMORY_OPS: ReadonlySet<string> = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'is_null'])

function bad (message: string, field: string): ApiError {
  return invalidPayload(message, [{ field, message }])
}

function single (key: string, raw: unknown): string {
  if (typeof raw === 'string') return raw
  throw bad(`Query parameter '${key}' must be given only once`, key)
}

function entityOf (registry: Registry, name: string, key: string): CompiledEntity {
  const entity = registry.entities.get(name)
  if (entity === undefined) {
    throw unknownEntity(`Unknown entity '${name}' in '${key}'${didYouMean(name, registry.entities.keys())}`, [{ field: key, message: `unknown entity '${name}'` }])
  }
  return entity
}

function parseEntities (registry: Registry, raw: unknown): Map<string, EntityInterest> {
  if (raw === undefined) throw bad("Query parameter 'entities' is required (a comma-separated list of entity names)", 'entities')
  const names = single('entities', raw).split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (names.length === 0) throw bad("Query parameter 'entities' must name at least one entity", 'entities')
  const out = new Map<string, EntityInterest>()
  for (const name of names) out.set(entityOf(registry, name, 'entities').name, { entity: name, filters: [], filterTerms: [], fields: null, filterFields: [] })
  return out
}

function parseFields (entity: CompiledEntity, key: string, raw: string): string[] {
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (names.length === 0) throw bad(`Query parameter '${key}' must name at least one field`, key)
  for (const n of names) {
    if (!entity.fields.has(n)) throw unknownField(`Unknown field '${n}' in '${key}'${didYouMean(n, entity.fields.keys())}`, [{ field: key, message: `unknown field '${n}'` }])
  }
  return names
}

function parseFilter (entity: CompiledEntity, key: string, term: string, raw: string): { test: RowTest, field: string } {
  // The list parser converts and checks the term exactly as a read would (400s included).
  const [filter] = parseListQuery(entity, { [`filter[${term}]`]: raw }).filters
  if (filter === undefined) throw bad(`Invalid filter '${key}'`, key)
  // Groups, relation paths and search need the database; a stream tests rows in memory.
  if (!('op' in filter)) throw bad(`Filter '${key}' is not supported in realtime (only field filters are)`, key)
  if (!IN_MEMORY_OPS.has(filter.op)) throw bad(`Operator '${filter.op}' is not supported in realtime filters`, key)
  return { test: rowTestOf(filter), field: filter.field.name }
}

/** Applies one `filter[…]` / `fields[…]` key to the interest of its entity (which `entities` must list). */
function applyNested (registry: Registry, interests: Map<string, EntityInterest>, key: string, m: RegExpExecArray, raw: unknown): void {
  const [, kind, name = '', term] = m
  const interest = interests.get(name)
  if (interest === undefined) {
    entityOf(registry, name, key)
    throw bad(`'${key}' names entity '${name}', which 'entities' does not list`, key)
  }
  const entity = entityOf(registry, name, key)
  if (kind === 'fields') {
    if (term !== undefined) throw bad(`Malformed parameter '${key}' (expected fields[<entity>]=a,b)`, key)
    interest.fields = parseFields(entity, key, single(key, raw))
  } else {
    if (term === undefined || term === '') throw bad(`Malformed parameter '${key}' (expected filter[<entity>][<field>.<op>]=value)`, key)
    const value = single(key, raw)
    const { test, field } = parseFilter(entity, key, term, value)
    interest.filters.push(test)
    interest.filterFields.push(field)
    interest.filterTerms.push(`${term}=${value}`)
    interest.filterTerms.sort()
  }
}

/** Parses a `Last-Event-ID` header or `last_event_id` value: a change id (a non-negative integer). */
export function parseLastEventId (raw: unknown, field: string): number {
  const text = typeof raw === 'string' ? raw.trim() : ''
  if (!LAST_ID_RE.test(text)) throw bad(`'${field}' must be a change id (a non-negative integer)`, field)
  return Number(text)
}

/**
 * Parses the query string of `GET /api/:app/_realtime` (flat keys as Fastify's parser yields
 * them) against the current registry. Unknown entity → 404 UNKNOWN_ENTITY, unknown field →
 * 400 UNKNOWN_FIELD, anything else malformed or unknown → 400 INVALID_PAYLOAD.
 * `access_token` is taken by the route's authentication and ignored here.
 */
export function parseSubscription (registry: Registry, query: Record<string, unknown>, lastEventHeader: unknown): SubscriptionRequest {
  const interests = parseEntities(registry, query.entities)
  let lastEventId: number | null = null
  for (const [key, raw] of Object.entries(query)) {
    if (raw === undefined || key === 'entities' || key === 'access_token') continue
    if (key === 'last_event_id') { lastEventId = parseLastEventId(single(key, raw), key); continue }
    const m = NESTED_KEY_RE.exec(key)
    if (m === null) throw bad(`Unknown query parameter '${key}' (expected ${PARAMS.join(', ')})`, key)
    applyNested(registry, interests, key, m, raw)
  }
  // The header is what EventSource sends on reconnect; it wins over the URL's first value.
  if (lastEventHeader !== undefined) lastEventId = parseLastEventId(single('Last-Event-ID', lastEventHeader), 'Last-Event-ID')
  return { interests, lastEventId }
}
