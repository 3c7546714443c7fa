/**
 * Route schemas of federated login (docs/ARCHITECTURE.md, "Route schemas"): the admin CRUD of
 * `/_admin/auth-providers` and the two public `/auth/oidc/:provider` routes. One object per
 * route drives validation, serialization and the OpenAPI document.
 */

/** Provider names appear in URLs (`/auth/oidc/<name>`): lower-case letters, digits, `_` and `-`. */
export const PROVIDER_NAME_PATTERN = '^[a-z][a-z0-9_-]{0,62}$'

const httpUrl = { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 }
const roles = { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 100 } }
const domains = {
  type: ['array', 'null'],
  maxItems: 100,
  items: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$' }
}
// Scope tokens as RFC 6749 §3.3 defines them (printable ASCII but space, `"` and `\`).
const scopes = { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' } }

const writable = {
  name: { type: 'string', pattern: PROVIDER_NAME_PATTERN, description: 'Appears in the login URL: /auth/oidc/<name>.' },
  issuer: { ...httpUrl, description: 'Issuer identifier; its /.well-known/openid-configuration is discovered.' },
  client_id: { type: 'string', minLength: 1, maxLength: 500 },
  client_secret: {
    type: ['string', 'null'],
    minLength: 1,
    maxLength: 1000,
    description: 'Write-only (stored encrypted, never returned: see has_secret). null: a public client (PKCE only).'
  },
  scopes: { ...scopes, description: 'Requested scopes; openid is always added. Default: openid, email, profile.' },
  default_roles: { ...roles, description: 'Roles of a user this provider creates.' },
  allowed_domains: { ...domains, description: 'Only emails of these domains may sign in (null or absent: any).' },
  redirect_url: { ...httpUrl, description: 'Where the browser is sent after the login: tokens (or the error) in the fragment.' },
  active: { type: 'boolean' }
}

export const providerCreateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'issuer', 'client_id', 'redirect_url'],
  properties: writable
}

export const providerUpdateBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: writable
}

const providerOut = {
  type: 'object',
  required: ['id', 'name', 'issuer', 'client_id', 'has_secret', 'scopes', 'default_roles', 'allowed_domains', 'redirect_url', 'active', 'callback_path', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    issuer: { type: 'string' },
    client_id: { type: 'string' },
    has_secret: { type: 'boolean' },
    scopes: { type: 'array', items: { type: 'string' } },
    default_roles: { type: 'array', items: { type: 'string' } },
    allowed_domains: { type: ['array', 'null'], items: { type: 'string' } },
    redirect_url: { type: 'string' },
    active: { type: 'boolean' },
    callback_path: { type: 'string', description: 'Register <server origin><callback_path> as a redirect URI at the provider.' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' }
  }
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } }
const one = { type: 'object', required: ['data'], properties: { data: providerOut } }
const tags = ['admin']

export const listProvidersSchema = {
  operationId: 'admin_list_auth_providers',
  summary: 'List OpenID Connect providers',
  tags,
  response: { 200: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: providerOut } } } }
}
export const getProviderSchema = { operationId: 'admin_get_auth_provider', summary: 'Get an OpenID Connect provider', tags, params: idParams, response: { 200: one } }
export const createProviderSchema = { operationId: 'admin_create_auth_provider', summary: 'Create an OpenID Connect provider', tags, body: providerCreateBody, response: { 201: one } }
export const updateProviderSchema = {
  operationId: 'admin_update_auth_provider',
  summary: 'Update an OpenID Connect provider (partial; client_secret replaced only when sent)',
  tags,
  params: idParams,
  body: providerUpdateBody,
  response: { 200: one }
}
export const deleteProviderSchema = {
  operationId: 'admin_delete_auth_provider',
  summary: 'Delete an OpenID Connect provider',
  tags,
  params: idParams,
  response: { 200: { type: 'object', required: ['data'], properties: { data: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } } }
}

const providerParams = {
  type: 'object',
  required: ['provider'],
  properties: { provider: { type: 'string', maxLength: 63 } }
}
const redirect = { type: 'null', description: 'Redirect (Location header).' }

export const startLoginSchema = {
  operationId: 'auth_oidc_start',
  summary: 'Start an OpenID Connect login (redirects to the provider)',
  description: 'Answers 302 to the provider\'s authorization endpoint (authorization code + PKCE S256, state, nonce). ' +
    'Public. Unknown or inactive provider: 404 NOT_FOUND; rate-limited per IP like login (429).',
  tags: ['auth'],
  security: [],
  params: providerParams,
  response: { 302: redirect }
}

export const callbackSchema = {
  operationId: 'auth_oidc_callback',
  summary: 'OpenID Connect callback (the provider redirects here)',
  description: 'Verifies state, code (PKCE) and ID token, links or creates the user by verified email, then answers 302 to the ' +
    'provider\'s redirect_url with #access_token=…&refresh_token=…&token_type=Bearer&expires_in=… in the fragment, or ' +
    '#error=<code>&error_description=… when the login is refused.',
  tags: ['auth'],
  security: [],
  params: providerParams,
  querystring: {
    type: 'object',
    properties: {
      code: { type: 'string', maxLength: 4096 },
      state: { type: 'string', maxLength: 512 },
      iss: { type: 'string', maxLength: 2048 },
      error: { type: 'string', maxLength: 200 },
      error_description: { type: 'string', maxLength: 2000 }
    }
  },
  response: { 302: redirect }
}
