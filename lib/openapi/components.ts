import type { RefObject, ResponseObject, SchemaObject } from './types.js'
import { schemaRef } from './names.js'

/** Name of the bearer (JWT) security scheme. */
export const BEARER = 'bearerAuth'
/** Name of the API-key security scheme (`X-API-Key`; the same key also works as a bearer token). */
export const API_KEY = 'apiKeyAuth'

/** Component names used by the shared schemas; entity names never take them. */
export const SHARED_SCHEMAS = ['Error', 'ErrorDetail', 'ListMeta', 'TokenResponse', 'FieldDefinition', 'EntityDefinition', 'RelationDefinition'] as const

interface ErrorStatus {
  name: string
  description: string
  codes: string[]
}

/** The error envelope per status (docs/reference.md, "Envelopes and errors"), one reusable response component each. */
const ERROR_STATUSES: Readonly<Record<number, ErrorStatus>> = {
  400: { name: 'BadRequest', description: 'Malformed request: bad JSON, unknown field, operator or parameter, malformed id.', codes: ['INVALID_PAYLOAD', 'UNKNOWN_FIELD'] },
  401: { name: 'Unauthorized', description: 'Missing, invalid or expired access token, or a token of another app.', codes: ['UNAUTHORIZED'] },
  403: { name: 'Forbidden', description: 'The caller lacks the role or permission for this action.', codes: ['FORBIDDEN'] },
  404: { name: 'NotFound', description: 'Unknown app, entity or record.', codes: ['APP_NOT_FOUND', 'UNKNOWN_ENTITY', 'NOT_FOUND'] },
  409: { name: 'Conflict', description: 'Unique violation (names the field) or a `restrict` relation still has children.', codes: ['CONFLICT'] },
  413: { name: 'PayloadTooLarge', description: 'The request body exceeds the configured limit.', codes: ['PAYLOAD_TOO_LARGE'] },
  422: { name: 'ValidationFailed', description: 'Type, required, enum or rule validation failed; `details` lists every problem with its `field`, `relation` and `index`.', codes: ['VALIDATION_FAILED'] },
  429: { name: 'RateLimited', description: 'Too many attempts; retry later.', codes: ['RATE_LIMITED'] },
  500: { name: 'InternalError', description: 'Unexpected server error (logged with the request id; no internals in the body).', codes: ['INTERNAL_ERROR'] }
}

const ALL_CODES = Object.values(ERROR_STATUSES).flatMap((s) => s.codes)

/** One entry of an error's `details` (docs/reference.md, "Envelopes and errors"); also inside the import report. */
export const ERROR_DETAIL: SchemaObject = {
  type: 'object',
  required: ['message'],
  properties: {
    field: { type: 'string', description: 'Path of the offending value, e.g. `items[1].quantity`.' },
    rule: { type: 'string' },
    message: { type: 'string' },
    relation: { type: 'string', description: 'Relation of a nested record.' },
    index: { type: 'integer', description: 'Index of the nested record within its relation.' },
    position: { type: 'integer' }
  }
}

/** `{"400": {$ref: '#/components/responses/BadRequest'}, ...}` for the given statuses. */
export function errorResponses (statuses: readonly number[]): Record<string, RefObject> {
  const out: Record<string, RefObject> = {}
  for (const status of statuses) {
    const s = ERROR_STATUSES[status]
    if (s === undefined) throw new Error(`no error response for status ${status}`)
    out[String(status)] = { $ref: `#/components/responses/${s.name}` }
  }
  return out
}

/** Every error response component. */
export function errorResponseComponents (): Record<string, ResponseObject> {
  const out: Record<string, ResponseObject> = {}
  for (const s of Object.values(ERROR_STATUSES)) {
    const codes = s.codes.map((c) => `\`${c}\``).join(', ')
    out[s.name] = { description: `${s.description} Codes: ${codes}.`, content: jsonContent(schemaRef('Error')) }
  }
  return out
}

/** `{"application/json": {schema}}`. */
export function jsonContent (schema: SchemaObject): Record<string, { schema: SchemaObject }> {
  return { 'application/json': { schema } }
}

/** `{data: <schema>}`, the single-record envelope. */
export function dataEnvelope (schema: SchemaObject): SchemaObject {
  return { type: 'object', required: ['data'], properties: { data: schema } }
}

/**
 * Shared schemas: the error envelope and list meta. `TokenResponse` (also a reserved name) comes
 * from the sign-in routes' declared schema (lib/auth/session-schemas.ts).
 */
export function sharedSchemas (): Record<string, SchemaObject> {
  return {
    ErrorDetail: ERROR_DETAIL,
    Error: {
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: { type: 'string', enum: ALL_CODES },
            message: { type: 'string' },
            details: { type: 'array', items: schemaRef('ErrorDetail') }
          }
        }
      }
    },
    ListMeta: {
      type: 'object',
      required: ['per_page'],
      properties: {
        page: { type: 'integer', minimum: 1, description: 'Absent in keyset mode (`cursor`).' },
        per_page: { type: 'integer', minimum: 1, maximum: 100 },
        total: { type: 'integer', minimum: 0, description: 'Rows matching the filters (all pages); absent with `count=none`.' },
        total_estimated: { type: 'boolean', description: 'True when `total` is the planner estimate (`count=estimated`).' },
        next_cursor: { type: ['string', 'null'], description: 'Keyset mode: the `cursor` of the next page, null on the last.' }
      }
    }
  }
}

/** The JWT bearer scheme every route outside `auth/*` requires. */
export function securitySchemes (): Record<string, Record<string, unknown>> {
  return {
    [BEARER]: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'Access token from `POST /auth/login` of this app (or a platform token, which acts as admin), or an API key `rk_…` of this app.'
    },
    [API_KEY]: {
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
      description: 'An API key `rk_…` from `POST /_admin/api-keys` of this app: a service principal with the key\'s roles (`$user.id` = the key id).'
    }
  }
}
