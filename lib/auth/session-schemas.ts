import { dataEnvelope, namedSchema, type Schema } from '../schema/route-schemas.js'
import { MIN_PASSWORD_LENGTH } from './passwords.js'

/**
 * Route schemas of the sign-in routes of apps (`/api/:app/auth`) and of the platform
 * (`/api/_platform/auth`) (docs/ARCHITECTURE.md, "Route schemas"). They are public
 * (`security: []`): they hand out tokens. A body failing its schema is 400 INVALID_PAYLOAD, as a
 * malformed credential always was (`bodyFailureStatus`), not a field-level 422.
 */
const tags = ['auth']
const PUBLIC: never[] = []
const MALFORMED = 400 as const

/** `{data: {access_token, refresh_token, token_type, expires_in, user}}` (routes/token-response.ts). */
export const TOKEN_RESPONSE = namedSchema('TokenResponse', dataEnvelope({
  type: 'object',
  required: ['access_token', 'refresh_token', 'token_type', 'expires_in', 'user'],
  properties: {
    access_token: { type: 'string', description: 'JWT (HS256), valid for `expires_in` seconds.' },
    refresh_token: { type: 'string', description: 'Opaque, single use: every refresh rotates it.' },
    token_type: { type: 'string', const: 'Bearer' },
    expires_in: { type: 'integer' },
    user: {
      type: 'object',
      required: ['id', 'email', 'roles'],
      properties: { id: { type: 'string' }, email: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } } },
      additionalProperties: false
    }
  },
  additionalProperties: false
}))

function closed (properties: Record<string, Schema>): Schema {
  return { type: 'object', required: Object.keys(properties), properties, additionalProperties: false }
}

const nonEmpty = (maxLength: number, description?: string): Schema => ({ type: 'string', minLength: 1, maxLength, ...(description !== undefined ? { description } : {}) })
const CREDENTIALS = closed({ email: nonEmpty(320), password: nonEmpty(1000) })
const REFRESH = closed({ refresh_token: nonEmpty(1000, 'From the last login or refresh.') })

export interface Credentials { email: string, password: string }
export interface RefreshBody { refresh_token: string }

/** The four operations of one population of users; `prefix` keeps operation ids apart (`auth_`, `platform_auth_`). */
function sessionSchemas (prefix: string) {
  return {
    login: {
      operationId: `${prefix}login`,
      summary: 'Log in with email and password',
      description: 'Rate-limited per IP and email (429); a wrong email and a wrong password answer the same 401.',
      tags,
      security: PUBLIC,
      body: CREDENTIALS,
      bodyFailureStatus: MALFORMED,
      response: { 200: TOKEN_RESPONSE },
      errors: [429]
    },
    refresh: {
      operationId: `${prefix}refresh`,
      summary: 'Exchange a refresh token for new tokens',
      description: 'The refresh token rotates on every use; reusing a rotated token revokes the whole family.',
      tags,
      security: PUBLIC,
      body: REFRESH,
      bodyFailureStatus: MALFORMED,
      response: { 200: TOKEN_RESPONSE }
    },
    logout: {
      operationId: `${prefix}logout`,
      summary: 'Revoke a refresh token',
      tags,
      security: PUBLIC,
      body: REFRESH,
      bodyFailureStatus: MALFORMED,
      response: { 200: dataEnvelope(closed({ logged_out: { type: 'boolean', const: true } })) }
    }
  }
}

export const APP_SESSION_ROUTES = {
  ...sessionSchemas('auth_'),
  acceptInvite: {
    operationId: 'auth_accept_invite',
    summary: 'Accept an invite: create the user and log in',
    description: 'Unknown, expired, used or revoked tokens are 404 (`details[0].rule` says which); a user created meanwhile for the email is 409.',
    tags,
    security: PUBLIC,
    body: closed({
      token: { type: 'string', minLength: 1, pattern: '\\S', description: 'The invite token (a longer one than any issued is simply unknown: 404).' },
      password: { type: 'string', minLength: MIN_PASSWORD_LENGTH, maxLength: 1000, description: `At least ${MIN_PASSWORD_LENGTH} characters, at most 72 bytes.` }
    }),
    response: { 200: TOKEN_RESPONSE },
    errors: [409]
  }
}

export const PLATFORM_SESSION_ROUTES = sessionSchemas('platform_auth_')
