import { dataEnvelope, errorResponses, jsonContent } from './components.js'
import { schemaRef } from './names.js'
import type { OperationObject, ParameterObject, SchemaObject } from './types.js'

/** A documented operation of a known system route, keyed by `METHOD /path` (Fastify syntax). */
export type KnownOperations = Record<string, OperationObject>

const PUBLIC: OperationObject['security'] = []

function bodyOf (schema: SchemaObject, required = true): OperationObject['requestBody'] {
  return { required, content: jsonContent(schema) }
}

function credentials (props: Record<string, SchemaObject>): SchemaObject {
  return { type: 'object', required: Object.keys(props), properties: props }
}

const tokens = (description: string): OperationObject['responses'][string] => ({ description, content: jsonContent(schemaRef('TokenResponse')) })

/** `POST /auth/*`: public, they hand out tokens. */
export function authOperations (): KnownOperations {
  const tags = ['auth']
  const refreshBody = credentials({ refresh_token: { type: 'string' } })
  return {
    'POST /auth/login': {
      operationId: 'auth_login',
      summary: 'Log in with email and password',
      description: 'Rate-limited per IP and email; a wrong email and a wrong password answer the same 401.',
      tags,
      security: PUBLIC,
      requestBody: bodyOf(credentials({ email: { type: 'string' }, password: { type: 'string', format: 'password' } })),
      responses: { 200: tokens('Access and refresh token.'), ...errorResponses([400, 401, 404, 429, 500]) }
    },
    'POST /auth/refresh': {
      operationId: 'auth_refresh',
      summary: 'Exchange a refresh token for new tokens',
      description: 'The refresh token rotates on every use; reusing a rotated token revokes the whole family.',
      tags,
      security: PUBLIC,
      requestBody: bodyOf(refreshBody),
      responses: { 200: tokens('New access and refresh token.'), ...errorResponses([400, 401, 404, 500]) }
    },
    'POST /auth/logout': {
      operationId: 'auth_logout',
      summary: 'Revoke a refresh token',
      tags,
      security: PUBLIC,
      requestBody: bodyOf(refreshBody),
      responses: {
        200: { description: 'Logged out.', content: jsonContent(dataEnvelope({ type: 'object', properties: { logged_out: { type: 'boolean', const: true } } })) },
        ...errorResponses([400, 404, 500])
      }
    },
    'POST /auth/accept-invite': {
      operationId: 'auth_accept_invite',
      summary: 'Accept an invite: create the user and log in',
      tags,
      security: PUBLIC,
      requestBody: bodyOf(credentials({ token: { type: 'string' }, password: { type: 'string', format: 'password' } })),
      responses: { 200: tokens('The new user\'s tokens.'), ...errorResponses([400, 401, 404, 409, 422, 500]) }
    }
  }
}

interface MetadataResource {
  /** URL segment under `/_admin`. */
  path: string
  /** Singular, for operationIds and summaries. */
  one: string
  schema: string
  deleteParams?: ParameterObject[]
}

const NAME_PARAM: ParameterObject = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' } }

/** CRUD of one metadata resource: every change migrates the database in the same transaction. */
function metadataCrud (r: MetadataResource): KnownOperations {
  const tags = ['admin']
  const one = (description: string): OperationObject['responses'][string] => ({ description, content: jsonContent(dataEnvelope(schemaRef(r.schema))) })
  const base = `/_admin/${r.path}`
  const deleted = dataEnvelope({ type: 'object', required: ['name'], properties: { name: { type: 'string' } } })
  const writeErrors = errorResponses([400, 401, 403, 404, 409, 413, 422, 500])
  return {
    [`GET ${base}`]: {
      operationId: `admin_list_${r.path}`,
      summary: `List ${r.one} definitions`,
      tags,
      responses: { 200: { description: 'All definitions.', content: jsonContent(dataEnvelope({ type: 'array', items: schemaRef(r.schema) })) }, ...errorResponses([401, 403, 404, 500]) }
    },
    [`POST ${base}`]: {
      operationId: `admin_create_${r.one}`,
      summary: `Create a ${r.one} (migrates the database)`,
      tags,
      requestBody: bodyOf(schemaRef(r.schema)),
      responses: { 201: one('The stored (normalized) definition.'), ...writeErrors }
    },
    [`GET ${base}/:name`]: {
      operationId: `admin_get_${r.one}`,
      summary: `Get a ${r.one} definition`,
      tags,
      parameters: [NAME_PARAM],
      responses: { 200: one('The definition.'), ...errorResponses([401, 403, 404, 500]) }
    },
    [`PUT ${base}/:name`]: {
      operationId: `admin_update_${r.one}`,
      summary: `Replace a ${r.one} definition (safe migrations only)`,
      tags,
      parameters: [NAME_PARAM],
      requestBody: bodyOf(schemaRef(r.schema)),
      responses: { 200: one('The stored definition.'), ...writeErrors }
    },
    [`DELETE ${base}/:name`]: {
      operationId: `admin_delete_${r.one}`,
      summary: `Delete a ${r.one}`,
      tags,
      parameters: [NAME_PARAM, ...(r.deleteParams ?? [])],
      responses: { 200: { description: 'Deleted.', content: jsonContent(deleted) }, ...errorResponses([401, 403, 404, 409, 500]) }
    }
  }
}

/** Admin routes documented with full schemas: entity and relation metadata. */
export function adminOperations (): KnownOperations {
  const drop: ParameterObject = { name: 'drop', in: 'query', description: '`true` also drops the table (otherwise only the metadata goes).', schema: { type: 'boolean', default: false } }
  return {
    ...metadataCrud({ path: 'entities', one: 'entity', schema: 'EntityDefinition', deleteParams: [drop] }),
    ...metadataCrud({ path: 'relations', one: 'relation', schema: 'RelationDefinition' })
  }
}

/** `POST /_files/upload`: multipart with one `file` part. */
export function fileOperations (): KnownOperations {
  return {
    'POST /_files/upload': {
      operationId: 'files_upload',
      summary: 'Upload a file (streamed; size-limited)',
      description: 'Its `id` is what a `file` field accepts.',
      tags: ['files'],
      requestBody: {
        required: true,
        content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } } }
      },
      responses: {
        '2XX': {
          description: 'The stored file.',
          content: jsonContent(dataEnvelope({ type: 'object', properties: { id: { type: 'string', format: 'uuid' }, filename: { type: 'string' }, size: { type: 'integer' }, mime_type: { type: 'string' }, url: { type: 'string', description: 'The path that serves the file' }, created_at: { type: 'string', format: 'date-time' } } }))
        },
        ...errorResponses([400, 401, 403, 413, 500])
      }
    }
  }
}
