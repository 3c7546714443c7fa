import type { JsonSchema } from '../fields/index.js'

/** The subset of OpenAPI 3.1 objects the builder produces. Schemas are JSON Schema 2020-12. */
export type SchemaObject = JsonSchema

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete'

export interface ParameterObject {
  name: string
  in: 'query' | 'path' | 'header'
  required?: boolean
  description?: string
  schema: SchemaObject
  style?: 'form' | 'simple'
  explode?: boolean
}

export interface MediaTypeObject {
  schema: SchemaObject
}

export interface LinkObject {
  operationId: string
  parameters: Record<string, string>
  description?: string
}

export interface ResponseObject {
  description: string
  content?: Record<string, MediaTypeObject>
  links?: Record<string, LinkObject>
  headers?: Record<string, { description?: string, schema: SchemaObject }>
}

export interface RefObject {
  $ref: string
}

export interface RequestBodyObject {
  required?: boolean
  description?: string
  content: Record<string, MediaTypeObject>
}

export type SecurityRequirement = Record<string, string[]>

export interface OperationObject {
  operationId: string
  summary: string
  description?: string
  tags?: string[]
  parameters?: ParameterObject[]
  requestBody?: RequestBodyObject
  responses: Record<string, ResponseObject | RefObject>
  security?: SecurityRequirement[]
}

export type PathItemObject = Partial<Record<HttpMethod, OperationObject>>

export interface OpenApiDocument {
  openapi: '3.1.0'
  info: { title: string, version: string, description?: string }
  servers: Array<{ url: string, description?: string }>
  security: SecurityRequirement[]
  tags: Array<{ name: string, description?: string }>
  paths: Record<string, PathItemObject>
  components: {
    schemas: Record<string, SchemaObject>
    responses: Record<string, ResponseObject>
    securitySchemes: Record<string, Record<string, unknown>>
  }
}

/**
 * A declared 2xx/3xx answer: a JSON schema, or Fastify's per-media-type form
 * `{description?, content: {<media type>: {schema}}}` (e.g. `text/event-stream`).
 */
export type RouteResponse = SchemaObject | { description?: string, content: Record<string, MediaTypeObject> }

/** Fastify route schema parts the builder understands (as declared on a route, if any). */
export interface RouteSchema {
  /** Stable id of the operation; otherwise one is derived from the method and path. */
  operationId?: string
  summary?: string
  description?: string
  tags?: string[]
  /** `[]` for a public route (no token needed). */
  security?: SecurityRequirement[]
  body?: SchemaObject
  querystring?: SchemaObject
  params?: SchemaObject
  headers?: SchemaObject
  response?: Record<string, RouteResponse>
  /** 400: a body failing the schema is a malformed request (INVALID_PAYLOAD), not 422 (credentials). */
  bodyFailureStatus?: 400
  /** Error statuses beyond the ones every route may answer (400, 401, 403, 404, 500; 413 and 422 with a body), e.g. 409, 429. */
  errors?: number[]
}

/**
 * One route registered under `/api/:app`, as collected by an `onRoute` hook: its method and
 * its path relative to `/api/:app` in Fastify syntax (`/_admin/entities/:name`).
 */
export interface RouteInfo {
  method: string
  url: string
  schema?: RouteSchema
}
