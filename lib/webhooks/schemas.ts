import { pagedList, pagedQuery } from '../schema/pagination.js'
import { dataEnvelope, ID_PARAMS, storedItem, writeBodies, type Schema } from '../schema/route-schemas.js'
import { DEFAULT_ATTEMPTS, DEFAULT_TIMEOUT_MS, MAX_ATTEMPTS, MAX_TIMEOUT_MS } from './settings.js'
import { BACKOFFS, LOG_STATUSES, WEBHOOK_HOOKS, WEBHOOK_METHODS } from './types.js'

export const MAX_HEADERS = 50
export const MAX_URL_LENGTH = 2048
export const MAX_SECRET_LENGTH = 1000

const RETRY: Schema = {
  type: 'object',
  properties: {
    max_attempts: { type: 'integer', minimum: 1, maximum: MAX_ATTEMPTS, default: DEFAULT_ATTEMPTS },
    backoff: { type: 'string', enum: [...BACKOFFS], default: 'exponential' }
  },
  additionalProperties: false
}

/**
 * The keys of a webhook (docs/reference.md, "Webhooks"). What a schema cannot say stays in
 * `validate.ts`: the URL policy (SSRF, allowed hosts), header names and `{{env.*}}` templates,
 * `async` against the hook.
 */
const WEBHOOK_PROPERTIES: Record<string, Schema> = {
  entity: { type: 'string', minLength: 1, maxLength: 200 },
  hook: { type: 'string', enum: [...WEBHOOK_HOOKS] },
  url: { type: 'string', minLength: 1, maxLength: MAX_URL_LENGTH, description: 'http(s); private and loopback targets are refused unless allowed (docs/security.md).' },
  method: { type: 'string', enum: [...WEBHOOK_METHODS], default: 'POST' },
  headers: { type: 'object', maxProperties: MAX_HEADERS, additionalProperties: { type: 'string', maxLength: 8192 }, description: 'Values may use `{{env.ROCKET_WEBHOOK_ENV_*}}`.' },
  condition: { type: ['string', 'null'], description: 'Expression; the webhook fires only when it is true.' },
  async: { type: 'boolean', description: 'Default: true for after_* hooks; before_* hooks are synchronous.' },
  retry: RETRY,
  timeout_ms: { type: 'integer', minimum: 100, maximum: MAX_TIMEOUT_MS, default: DEFAULT_TIMEOUT_MS },
  active: { type: 'boolean', default: true }
}

const SECRET: Schema = { type: ['string', 'null'], minLength: 1, maxLength: MAX_SECRET_LENGTH, writeOnly: true, description: 'HMAC key of `X-Rocket-Signature`; never returned.' }

const bodies = writeBodies({ ...WEBHOOK_PROPERTIES, secret: SECRET, has_secret: { readOnly: true, description: 'Ignored.' } }, ['entity', 'hook', 'url'])
export const WEBHOOK_BODIES = bodies
export const WEBHOOK_ITEM = storedItem({ ...WEBHOOK_PROPERTIES, retry: { ...RETRY, required: ['max_attempts', 'backoff'] }, has_secret: { type: 'boolean' } })

const NULLABLE_TEXT: Schema = { type: ['string', 'null'] }
const TIME: Schema = { type: 'string', format: 'date-time' }

/** One `_webhook_logs` row: a delivery and its last attempt (docs/reference.md, "Webhooks"). */
const LOG_PROPERTIES: Record<string, Schema> = {
  id: { type: 'string', format: 'uuid' },
  webhook_id: { type: ['string', 'null'], format: 'uuid', description: 'Null once the webhook was deleted.' },
  entity: { type: 'string' },
  hook: { type: 'string', enum: [...WEBHOOK_HOOKS] },
  url: { type: 'string' },
  method: { type: 'string' },
  request_headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'As configured: `{{env.*}}` templates unresolved, so no secret value is stored.' },
  request_body: { description: 'The payload sent (JSON).' },
  response_status: { type: ['integer', 'null'] },
  response_body: NULLABLE_TEXT,
  status: { type: 'string', enum: [...LOG_STATUSES] },
  attempt: { type: 'integer', minimum: 0 },
  max_attempts: { type: 'integer', minimum: 1 },
  next_retry_at: { type: ['string', 'null'], format: 'date-time' },
  error: NULLABLE_TEXT,
  idempotency_key: { type: 'string' },
  created_at: TIME,
  updated_at: TIME
}

const LOG: Schema = { type: 'object', required: Object.keys(LOG_PROPERTIES), properties: LOG_PROPERTIES, additionalProperties: false }

/** `?webhook_id ?status ?entity ?page ?per_page` of `GET /_admin/webhook-logs`. */
export const LOG_LIST_QUERY = pagedQuery({
  webhook_id: { type: 'string', format: 'uuid' },
  status: { type: 'string', enum: [...LOG_STATUSES] },
  entity: { type: 'string', maxLength: 200 }
})

/** Route schemas of `/_admin/webhook-logs`; an id that is not a uuid is 404 like an unknown one. */
export const WEBHOOK_LOG_ROUTES = {
  list: { operationId: 'admin_list_webhook_logs', summary: 'Webhook delivery logs, newest first', tags: ['admin'], querystring: LOG_LIST_QUERY, response: { 200: pagedList(LOG) } },
  get: { operationId: 'admin_get_webhook_log', summary: 'One webhook delivery log', tags: ['admin'], params: ID_PARAMS, response: { 200: dataEnvelope(LOG) } },
  retry: {
    operationId: 'admin_retry_webhook_log',
    summary: 'Re-queue a delivery (failed, or delivered to replay)',
    description: 'Status `pending`, due now, `attempt` 0 (the webhook\'s `max_attempts` applies afresh); same idempotency key. Answers the row as re-queued.',
    tags: ['admin'],
    params: ID_PARAMS,
    response: { 200: dataEnvelope(LOG) }
  }
}
