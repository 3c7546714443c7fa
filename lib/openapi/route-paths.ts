import { schemaName } from '../schema/route-schemas.js'
import { dataEnvelope, errorResponses, jsonContent } from './components.js'
import type { KnownOperations } from './file-paths.js'
import { schemaRef } from './names.js'
import type { HttpMethod, MediaTypeObject, OperationObject, ParameterObject, PathItemObject, ResponseObject, RouteInfo, RouteResponse, RouteSchema, SchemaObject } from './types.js'

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

/** Path parameters, with the declared schema of each when the route has one. */
function pathParameters (url: string, params: SchemaObject | undefined, refs: ComponentRefs): ParameterObject[] {
  const props = (params?.properties ?? {}) as Record<string, SchemaObject>
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => {
    const name = m[1] as string
    return { name, in: 'path', required: true, schema: refs.inline(props[name] ?? { type: 'string' }) }
  })
}

/** Tag of a system route: its first segment without the underscore (`/_admin/rules` → `admin`). */
function tagOf (url: string): string {
  const first = url.split('/')[1] ?? ''
  return first.replace(/^_/, '') || 'system'
}

function namedParameters (schema: SchemaObject | undefined, where: 'query' | 'header', refs: ComponentRefs): ParameterObject[] {
  const props = schema?.properties as Record<string, SchemaObject> | undefined
  if (props === undefined) return []
  const required = new Set(Array.isArray(schema?.required) ? schema.required as string[] : [])
  return Object.entries(props).map(([name, s]) => {
    const p: ParameterObject = { name, in: where, required: required.has(name), schema: refs.inline(s) }
    if (typeof s.description === 'string') p.description = s.description
    return p
  })
}

/**
 * Named schemas (`namedSchema`) met while documenting routes: replaced by a `$ref` and listed
 * once, so `components.schemas` holds exactly the ones some route uses.
 */
export class ComponentRefs {
  readonly schemas: Record<string, SchemaObject> = {}

  /** A copy of `schema` with every named schema inside it (itself included, unless `root`) as a `$ref`. */
  inline (schema: SchemaObject, root = false): SchemaObject {
    const name = root ? undefined : schemaName(schema)
    if (name !== undefined) {
      if (!(name in this.schemas)) {
        this.schemas[name] = {}
        this.schemas[name] = this.inline(schema, true)
      }
      return schemaRef(name)
    }
    const out: SchemaObject = {}
    for (const [k, v] of Object.entries(schema)) out[k] = this.value(v)
    return out
  }

  private value (v: unknown): unknown {
    if (Array.isArray(v)) return v.map((x) => this.value(x))
    if (typeof v === 'object' && v !== null) return this.inline(v as SchemaObject)
    return v
  }
}

function responseOf (status: string, declared: RouteResponse, refs: ComponentRefs): ResponseObject {
  const description = typeof declared.description === 'string' ? declared.description : undefined
  // A redirect (3xx, e.g. the OpenID Connect login routes) has no body: its schema only describes it.
  if (/^3/.test(status)) return { description: description ?? 'Redirect (Location header).' }
  const content = 'content' in declared && typeof declared.content === 'object' && declared.content !== null && !('type' in declared)
    ? Object.fromEntries(Object.entries(declared.content as Record<string, MediaTypeObject>).map(([media, m]) => [media, { schema: refs.inline(m.schema) }]))
    : jsonContent(refs.inline(declared as SchemaObject))
  return { description: description ?? 'Success.', content }
}

/** Errors every route may answer, those of a body (413, 422), and the ones the route declares. */
function errorStatuses (s: RouteSchema | undefined): number[] {
  const body = s?.body === undefined ? [] : s.bodyFailureStatus === 400 ? [413] : [413, 422]
  const statuses = new Set([400, 401, 403, 404, 500, ...body, ...(s?.errors ?? [])])
  return [...statuses].sort((a, b) => a - b)
}

/**
 * The operation of a system route, from its declared Fastify schema (docs/ARCHITECTURE.md,
 * "Route schemas"): path, query and header parameters, body, 2xx/3xx answers, error statuses.
 */
function routeOperation (method: HttpMethod, route: RouteInfo, operationId: string, refs: ComponentRefs): OperationObject {
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
  const parameters = [...pathParameters(url, s?.params, refs), ...namedParameters(s?.querystring, 'query', refs), ...namedParameters(s?.headers, 'header', refs)]
  if (parameters.length > 0) op.parameters = parameters
  if (s?.body !== undefined) op.requestBody = { required: true, content: jsonContent(refs.inline(s.body)) }
  else if (s === undefined && (method === 'post' || method === 'put' || method === 'patch')) op.requestBody = { required: false, content: jsonContent({ type: 'object' }) }
  const declared = Object.entries(s?.response ?? {}).filter(([status]) => /^[23]/.test(status))
  for (const [status, schema] of declared) op.responses[status] = responseOf(status, schema, refs)
  if (declared.length === 0) op.responses['2XX'] = { description: 'Success.', content: jsonContent(dataEnvelope({})) }
  Object.assign(op.responses, errorResponses(errorStatuses(s)))
  return op
}

/** `route_post__admin_rules_id`: cannot collide with entity ids (`list_x`) nor with declared ones (`auth_x`, `admin_x`). */
function genericOperationId (method: HttpMethod, url: string, used: Set<string>): string {
  const base = `route_${method}_${url.slice(1).replace(/[^A-Za-z0-9_]+/g, '_')}`.replace(/_+$/, '')
  let id = base
  for (let n = 2; used.has(id); n++) id = `${base}_${n}`
  used.add(id)
  return id
}

/**
 * Paths of the system routes actually registered under `/api/:app` (so the document never
 * lists a route the server lacks), each documented from its declared schema (`known` only for
 * what a JSON schema cannot declare: the multipart upload), and the named component schemas
 * they refer to.
 */
export function routePaths (routes: readonly RouteInfo[], known: KnownOperations): { paths: Record<string, PathItemObject>, schemas: Record<string, SchemaObject> } {
  const paths: Record<string, PathItemObject> = {}
  const refs = new ComponentRefs()
  const used = new Set<string>(routes.flatMap((r) => r.schema?.operationId ?? []))
  const sorted = [...routes].sort((a, b) => `${normalizeUrl(a.url)} ${a.method}`.localeCompare(`${normalizeUrl(b.url)} ${b.method}`))
  for (const route of sorted) {
    const method = route.method.toLowerCase()
    const url = normalizeUrl(route.url)
    if (!METHODS.has(method) || SKIPPED.has(url) || url.includes('*') || url.startsWith('/_docs/')) continue
    const path = openApiPath(url)
    const item = paths[path] ?? (paths[path] = {})
    const m = method as HttpMethod
    if (item[m] !== undefined) continue
    item[m] = known[`${route.method.toUpperCase()} ${url}`] ??
      routeOperation(m, route, route.schema?.operationId ?? genericOperationId(m, url, used), refs)
  }
  return { paths, schemas: refs.schemas }
}
