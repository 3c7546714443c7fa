import { pagedList, pagedQuery, type PageLimits } from '../schema/pagination.js'
import { dataEnvelope, ID_PARAMS, type Schema } from '../schema/route-schemas.js'
import { ROLES } from '../permissions/schemas.js'
import { MIN_PASSWORD_LENGTH } from './passwords.js'

/**
 * Route schemas of `/_admin/users` and `/_admin/invites` (docs/ARCHITECTURE.md, "Route
 * schemas"). Emails are checked and normalized by `normalizeEmail` (trimmed, lower-cased, a
 * pragmatic address pattern) and passwords by `checkPassword` (at most 72 bytes): what a schema
 * cannot say.
 */
const tags = ['admin']
const dateTime: Schema = { type: 'string', format: 'date-time' }
const nullableDateTime: Schema = { type: ['string', 'null'], format: 'date-time' }
/** Pragmatic: something@domain, domain labels of letters, digits and hyphens ("localhost" included). */
const EMAIL_ADDRESS = '[^\\s@"<>()\\[\\]\\\\,;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*'
/** An address as `normalizeEmail` takes it (then at most 254 characters). */
export const EMAIL_RE = new RegExp(`^${EMAIL_ADDRESS}$`)
const EMAIL: Schema = { type: 'string', maxLength: 320, pattern: `^\\s*${EMAIL_ADDRESS}\\s*$`, description: 'An email address; stored trimmed and lower-cased.' }
const PASSWORD: Schema = { type: 'string', minLength: MIN_PASSWORD_LENGTH, maxLength: 1000, writeOnly: true, description: `At least ${MIN_PASSWORD_LENGTH} characters, at most 72 bytes; stored as a bcrypt hash, never returned.` }
const deleted = dataEnvelope({ type: 'object', required: ['id'], properties: { id: { type: 'string' } }, additionalProperties: false })
const ignored = (description = 'Ignored.'): Schema => ({ readOnly: true, description })

/** Admin screens list users in larger pages than records. */
export const USER_PAGES: PageLimits = { defaultPerPage: 50, maxPerPage: 500 }

const USER: Schema = {
  type: 'object',
  required: ['id', 'email', 'roles', 'active', 'email_verified', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    email: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    active: { type: 'boolean', description: 'Deactivating a user revokes their sessions and refuses their access tokens at once.' },
    email_verified: { type: 'boolean', description: 'Set by verify-email; cleared when the email changes.' },
    created_at: dateTime,
    updated_at: dateTime
  },
  additionalProperties: false
}

const USER_WRITE: Record<string, Schema> = {
  email: EMAIL,
  password: PASSWORD,
  roles: ROLES,
  active: { type: 'boolean' },
  id: ignored(),
  email_verified: ignored('Ignored: set by verify-email.'),
  created_at: ignored(),
  updated_at: ignored()
}

export const USER_BODIES = {
  create: { type: 'object', required: ['email', 'password'], properties: USER_WRITE, additionalProperties: false },
  update: { type: 'object', properties: USER_WRITE, additionalProperties: false }
}

const one = dataEnvelope(USER)
export const USER_ROUTES = {
  list: { operationId: 'admin_list_users', summary: 'List app users (by email)', tags, querystring: pagedQuery({}, USER_PAGES), response: { 200: pagedList(USER) } },
  get: { operationId: 'admin_get_user', summary: 'Get a user', tags, params: ID_PARAMS, response: { 200: one } },
  create: { operationId: 'admin_create_user', summary: 'Create a user', tags, body: USER_BODIES.create, response: { 201: one }, errors: [409] },
  update: {
    operationId: 'admin_update_user',
    summary: 'Update a user: omitted keys keep their stored values',
    description: 'A new password, roles, email or deactivation refuses the user\'s older access tokens at once; deactivation and a new password end their sessions.',
    tags,
    params: ID_PARAMS,
    body: USER_BODIES.update,
    response: { 200: one },
    errors: [409]
  },
  remove: { operationId: 'admin_delete_user', summary: 'Delete a user (their tokens stop working at once)', tags, params: ID_PARAMS, response: { 200: deleted } }
}

export const INVITE_STATUSES = ['pending', 'accepted', 'revoked', 'expired'] as const

const INVITE: Schema = {
  type: 'object',
  required: ['id', 'email', 'roles', 'status', 'invited_by', 'expires_at', 'accepted_at', 'revoked_at', 'created_at'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    email: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    status: { type: 'string', enum: [...INVITE_STATUSES] },
    invited_by: { type: ['string', 'null'] },
    expires_at: { ...dateTime, description: '72 h after creation.' },
    accepted_at: nullableDateTime,
    revoked_at: nullableDateTime,
    created_at: dateTime
  },
  additionalProperties: false
}

const TOKEN: Schema = { type: 'string', description: 'Shown only in the answer that created the invite; stored as a SHA-256 hash. `POST /auth/accept-invite` takes it.' }
const INVITE_WITH_TOKEN: Schema = { ...INVITE, required: [...INVITE.required as string[], 'token'], properties: { ...INVITE.properties as Record<string, Schema>, token: TOKEN } }
const MAX_BULK = 1000

export const INVITE_ROUTES = {
  list: {
    operationId: 'admin_list_invites',
    summary: 'List invites, newest first',
    description: 'Revoked invites only with `status=revoked`.',
    tags,
    querystring: { type: 'object', properties: { status: { type: 'string', enum: [...INVITE_STATUSES] } }, additionalProperties: false },
    response: { 200: dataEnvelope({ type: 'array', items: INVITE }) }
  },
  get: { operationId: 'admin_get_invite', summary: 'Get an invite', tags, params: ID_PARAMS, response: { 200: dataEnvelope(INVITE) } },
  create: {
    operationId: 'admin_create_invite',
    summary: 'Invite an email address (the token is shown once)',
    description: 'Valid 72 h. 409 when a user or a pending invite already exists for the email.',
    tags,
    body: { type: 'object', required: ['email'], properties: { email: EMAIL, roles: ROLES }, additionalProperties: false },
    response: { 201: dataEnvelope(INVITE_WITH_TOKEN) },
    errors: [409]
  },
  bulk: {
    operationId: 'admin_bulk_invites',
    summary: 'Invite many addresses at once',
    description: '`{emails: [...], roles}` or `[{email, roles}, ...]` (at most 1000). Addresses are normalized and de-duplicated first; ' +
      'invalid addresses or roles, existing users and pending invites are skipped with their reason, not refused.',
    tags,
    body: {
      type: ['object', 'array'],
      required: ['emails'],
      properties: { emails: { type: 'array', maxItems: MAX_BULK, items: {} }, roles: ROLES },
      additionalProperties: false,
      maxItems: MAX_BULK,
      items: { type: 'object', properties: { email: {}, roles: {} }, additionalProperties: false, description: 'Checked one by one: a bad email or roles skips the entry.' }
    },
    response: {
      200: dataEnvelope({
        type: 'object',
        required: ['created', 'skipped', 'summary'],
        properties: {
          created: { type: 'array', items: INVITE_WITH_TOKEN },
          skipped: {
            type: 'array',
            items: { type: 'object', required: ['email', 'reason'], properties: { email: { type: 'string' }, reason: { type: 'string', enum: ['invalid email', 'user exists', 'invite pending', 'invalid roles'] } }, additionalProperties: false }
          },
          summary: {
            type: 'object',
            required: ['total', 'created', 'skipped'],
            properties: { total: { type: 'integer' }, created: { type: 'integer' }, skipped: { type: 'integer' } },
            additionalProperties: false
          }
        },
        additionalProperties: false
      })
    }
  },
  revoke: { operationId: 'admin_revoke_invite', summary: 'Revoke an invite', description: 'A revoked invite is 404 to DELETE.', tags, params: ID_PARAMS, response: { 200: deleted }, errors: [409] }
}
