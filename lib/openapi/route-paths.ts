import { dataEnvelope, errorResponses, jsonContent } from './components.js'
import type { KnownOperations } from './admin-paths.js'
import type { HttpMethod, OperationObject, ParameterObject, PathItemObject, RouteInfo, SchemaObject } from './types.js'

const METHODS: ReadonlySet<string> = new Set<HttpMethod>(['get', 'post', 'put', 'patch', 'delete'])
/** Routes the document does not list as such: the generic entity routes (expanded per entity) and the docs themselves. */
const SKIPPED = new Set(['/:entity', '/:entity/:id', '/:entity/_aggregate', '/_openapi.json', '/_docs'])

/** `/_admin/entities/` → `/_admin/entities`; `/x/:id(^\\d+)` → `/x/:id`. */
function normalizeUrl (url: string): string {
  const plain = url.replace(/(:[A-Za-z0-9_]+)\([^)]*\)/g, '$1')
  return plain.length > 1 && plain.endsWith('/') ? plain.slice(0, -1) : plain
}

/** Fastify `:param` syntax → OpenAPI `{param}`. */
function openApiPath (url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
}

function pathParameters (url: string): ParameterObject[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1] as string, in: 'path', required: true, schema: { type: 'string' } }))
}

/** Tag of a system route: its first segment without the underscore (`/_admin/rules` → `admin`). */
function tagOf (url: string): string {
  const first = url.split('/')[1] ?? ''
  return first.replace(/^_/, '') || 'system'
}

function queryParameters (schema: SchemaObject | undefined): ParameterObject[] {
  const props = schema?.properties as Record<string, SchemaObject> | undefined
  if (props === undefined) return []
  const required = new Set(Array.isArray(schema?.required) ? schema.required as string[] : [])
  return Object.entries(props).map(([name, s]) => ({ name, in: 'query', required: required.has(name), schema: s }))
}

/**
 * A route without a documented operation: path parameters, a JSON object body for writes, and
 * whatever its Fastify route schema declares (body, querystring, 2xx responses).
 */
function genericOperation (method: HttpMethod, route: RouteInfo, operationId: string): OperationObject {
  const url = normalizeUrl(route.url)
  const s = route.schema
  const op: OperationObject = {
    operationId,
    summary: s?.summary ?? `${method.toUpperCase()} ${openApiPath(url)}`,
    tags: s?.tags ?? [tagOf(url)],
    responses: {}
  }
  if (s?.description !== undefined) op.description = s.description
  if (s?.security !== undefined) op.security = s.security
  const parameters = [...pathParameters(url), ...queryParameters(s?.querystring)]
  if (parameters.length > 0) op.parameters = parameters
  if (method === 'post' || method === 'put' || method === 'patch') {
    op.requestBody = { required: s?.body !== undefined, content: jsonContent(s?.body ?? { type: 'object' }) }
  }
  const declared = Object.entries(s?.response ?? {}).filter(([status]) => /^[23]/.test(status))
  if (declared.length > 0) {
    // A redirect (3xx, e.g. the OpenID Connect login routes) has no body: its schema only describes it.
    for (const [status, schema] of declared) {
      op.responses[status] = /^3/.test(status)
        ? { description: (schema as { description?: string }).description ?? 'Redirect (Location header).' }
        : { description: 'Success.', content: jsonContent(schema) }
    }
  } else {
    op.responses['2XX'] = { description: 'Success.', content: jsonContent(dataEnvelope({})) }
  }
  Object.assign(op.responses, errorResponses([400, 401, 403, 404, 500]))
  return op
}

/** `route_post__admin_rules_id`: cannot collide with entity (`list_x`), auth (`auth_x`) or admin (`admin_x`) ids. */
function genericOperationId (method: HttpMethod, url: string, used: Set<string>): string {
  const base = `route_${method}_${url.slice(1).replace(/[^A-Za-z0-9_]+/g, '_')}`.replace(/_+$/, '')
  let id = base
  for (let n = 2; used.has(id); n++) id = `${base}_${n}`
  used.add(id)
  return id
}

/**
 * Paths of the system routes actually registered under `/api/:app` (so the document never
 * lists a route the server lacks): known ones with their full operation, the others generic.
 */
export function routePaths (routes: readonly RouteInfo[], known: KnownOperations): Record<string, PathItemObject> {
  const paths: Record<string, PathItemObject> = {}
  const used = new Set<string>()
  const sorted = [...routes].sort((a, b) => `${normalizeUrl(a.url)} ${a.method}`.localeCompare(`${normalizeUrl(b.url)} ${b.method}`))
  for (const route of sorted) {
    const method = route.method.toLowerCase()
    const url = normalizeUrl(route.url)
    if (!METHODS.has(method) || SKIPPED.has(url) || url.includes('*') || url.startsWith('/_docs/')) continue
    const path = openApiPath(url)
    const item = paths[path] ?? (paths[path] = {})
    const m = method as HttpMethod
    if (item[m] !== undefined) continue
    item[m] = known[`${route.method.toUpperCase()} ${url}`] ?? genericOperation(m, route, genericOperationId(m, url, used))
  }
  return paths
}
