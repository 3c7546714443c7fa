/**
 * Route schemas of `/_admin/api-keys` (docs/ARCHITECTURE.md, "Route schemas"): validation,
 * serialization and the OpenAPI document from one object each.
 */
const tags = ['admin']
const dateTime = { type: 'string', format: 'date-time' }
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' }

const apiKey = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'roles', 'prefix', 'status', 'expires_at', 'revoked_at', 'last_used_at', 'created_by', 'created_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    prefix: { type: 'string', description: 'The first characters of the key, to tell keys apart (never enough to use one).' },
    status: { type: 'string', enum: ['active', 'expired', 'revoked'] },
    expires_at: nullableDateTime,
    revoked_at: nullableDateTime,
    last_used_at: { ...nullableDateTime, description: 'Recorded in batches (a few seconds late).' },
    created_by: { type: ['string', 'null'] },
    created_at: dateTime
  }
}

// Not closed: the path also holds the app's name (`/api/:app/...`).
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 200 } } }

export const listApiKeysSchema = {
  operationId: 'admin_list_api_keys',
  summary: 'List API keys',
  description: 'Newest first; revoked keys only with `status=revoked`. The key itself is never listed.',
  tags,
  querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['active', 'expired', 'revoked'] } } },
  response: { 200: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: apiKey } } } }
}

export const getApiKeySchema = {
  operationId: 'admin_get_api_key',
  summary: 'Get an API key',
  tags,
  params: idParams,
  response: { 200: { type: 'object', required: ['data'], properties: { data: apiKey } } }
}

export const createApiKeySchema = {
  operationId: 'admin_create_api_key',
  summary: 'Create an API key (the key is shown once)',
  description: 'Send it as `Authorization: Bearer rk_…` or `X-API-Key: rk_…`; it acts with its roles as a service principal (`$user.id` = the key id).',
  tags,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'roles'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 200 },
      roles: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 100 } },
      expires_at: { ...nullableDateTime, description: 'Must be in the future; absent or null: never expires.' }
    }
  },
  response: {
    201: {
      type: 'object',
      required: ['data'],
      properties: {
        data: {
          ...apiKey,
          required: [...apiKey.required, 'key'],
          properties: { ...apiKey.properties, key: { type: 'string', pattern: '^rk_[A-Za-z0-9_-]{43}$', description: 'Shown only in this answer; stored as a SHA-256 hash.' } }
        }
      }
    }
  }
}

export const revokeApiKeySchema = {
  operationId: 'admin_revoke_api_key',
  summary: 'Revoke an API key',
  description: 'Refused from the next request on, in every server process within a second; a revoked key is 404 to DELETE.',
  tags,
  params: idParams,
  response: { 200: { type: 'object', required: ['data'], properties: { data: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } } }
}
