import { storedItem, writeBodies, type Schema } from '../schema/route-schemas.js'
import { DEFAULT_ATTEMPTS, DEFAULT_TIMEOUT_MS, MAX_ATTEMPTS, MAX_TIMEOUT_MS } from './settings.js'
import { BACKOFFS, WEBHOOK_HOOKS, WEBHOOK_METHODS } from './types.js'

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
