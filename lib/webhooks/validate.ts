import { checkKeys, isObject, type Problems } from '../rules/problems.js'
import { checkHeaderTemplate } from './header-templates.js'
import { DEFAULT_ATTEMPTS, DEFAULT_TIMEOUT_MS, isAttemptCount, MAX_ATTEMPTS, MAX_TIMEOUT_MS, urlProblem } from './settings.js'
import type { UrlPolicy } from './ssrf.js'
import {
  BACKOFFS, WEBHOOK_HOOKS, WEBHOOK_METHODS, type Backoff, type RetryPolicy, type WebhookDef, type WebhookHook, type WebhookMethod
} from './types.js'

const WEBHOOK_KEYS = ['entity', 'hook', 'url', 'method', 'headers', 'condition', 'async', 'retry', 'timeout_ms', 'secret', 'active'] as const
const RETRY_KEYS = ['max_attempts', 'backoff'] as const
const HEADER_NAME_RE = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/
/** Headers the engine sets itself (or the HTTP client owns): a webhook may not override them. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'idempotency-key', 'x-rocket-signature'])
const MAX_HEADERS = 50
const MAX_URL_LENGTH = 2048
const MAX_SECRET_LENGTH = 1000

function checkHeaders (problems: Problems, raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {}
  if (!isObject(raw)) {
    problems.add('headers', 'type', 'headers must be an object of header name → string value')
    return {}
  }
  const entries = Object.entries(raw)
  if (entries.length > MAX_HEADERS) problems.add('headers', 'max', `at most ${MAX_HEADERS} headers`)
  const out: Record<string, string> = {}
  for (const [name, value] of entries) {
    const at = `headers.${name}`
    if (!HEADER_NAME_RE.test(name)) problems.add(at, 'pattern', `'${name.slice(0, 100)}' is not a valid header name`)
    else if (RESERVED_HEADERS.has(name.toLowerCase())) problems.add(at, 'reserved', `${name} is set by the engine`)
    if (typeof value !== 'string' || value.length > 8192 || /[\r\n\0]/.test(value)) {
      problems.add(at, 'type', `${at} must be a single-line string`)
      continue
    }
    checkHeaderTemplate(problems, at, value)
    out[name] = value
  }
  return out
}

function checkRetry (problems: Problems, raw: unknown): RetryPolicy {
  const retry: RetryPolicy = { max_attempts: DEFAULT_ATTEMPTS, backoff: 'exponential' }
  if (raw === undefined || raw === null) return retry
  if (!isObject(raw)) {
    problems.add('retry', 'type', 'retry must be an object {max_attempts, backoff}')
    return retry
  }
  checkKeys(problems, 'retry', raw, RETRY_KEYS)
  const max = raw.max_attempts ?? retry.max_attempts
  if (!isAttemptCount(max)) {
    problems.add('retry.max_attempts', 'range', `retry.max_attempts must be an integer from 1 to ${MAX_ATTEMPTS}`)
  } else {
    retry.max_attempts = max
  }
  const backoff = raw.backoff ?? retry.backoff
  if (!BACKOFFS.includes(backoff as Backoff)) problems.add('retry.backoff', 'enum', `retry.backoff must be one of: ${BACKOFFS.join(', ')}`)
  else retry.backoff = backoff as Backoff
  return retry
}

function checkUrl (problems: Problems, url: unknown, policy: UrlPolicy): void {
  if (typeof url !== 'string' || url === '' || url.length > MAX_URL_LENGTH) {
    problems.add('url', 'required', `url must be an http(s) URL of at most ${MAX_URL_LENGTH} characters`)
    return
  }
  const problem = urlProblem(url, policy)
  if (problem !== null) problems.add('url', problem.includes('WEBHOOK_ALLOWED_HOSTS') ? 'allowed_hosts' : 'url', problem)
}

function checkSimple (problems: Problems, body: Record<string, unknown>): void {
  const { entity, hook, method, timeout_ms: timeout, active, secret } = body
  if (typeof entity !== 'string' || entity === '') problems.add('entity', 'required', 'entity must be an entity name')
  if (!WEBHOOK_HOOKS.includes(hook as WebhookHook)) problems.add('hook', 'enum', `hook must be one of: ${WEBHOOK_HOOKS.join(', ')}`)
  if (!WEBHOOK_METHODS.includes(method as WebhookMethod)) problems.add('method', 'enum', `method must be one of: ${WEBHOOK_METHODS.join(', ')}`)
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 100 || timeout > MAX_TIMEOUT_MS) {
    problems.add('timeout_ms', 'range', `timeout_ms must be an integer from 100 to ${MAX_TIMEOUT_MS}`)
  }
  if (typeof active !== 'boolean') problems.add('active', 'type', 'active must be a boolean')
  if (secret !== null && (typeof secret !== 'string' || secret === '' || secret.length > MAX_SECRET_LENGTH)) {
    problems.add('secret', 'type', `secret must be a non-empty string of at most ${MAX_SECRET_LENGTH} characters, or null`)
  }
}

/**
 * Checks the shape of a webhook body and fills the defaults (method POST, async true for
 * after_* hooks and false for before_* hooks, retry 3 × exponential, timeout 5 s, active).
 * before_* hooks run inside the transaction so that they can veto the write: `async: true` on
 * them is refused. Whether the entity exists and the condition parses is checked by
 * `compileWebhook`. Returns null when anything is wrong.
 */
export function parseWebhookBody (body: unknown, problems: Problems, policy: UrlPolicy): WebhookDef | null {
  if (!isObject(body)) {
    problems.add('', 'type', 'the webhook must be a JSON object')
    return null
  }
  checkKeys(problems, '', body, WEBHOOK_KEYS)
  const hook = body.hook
  const before = typeof hook === 'string' && hook.startsWith('before_')
  const filled: Record<string, unknown> = { method: 'POST', timeout_ms: DEFAULT_TIMEOUT_MS, active: true, secret: null, ...body }
  checkSimple(problems, filled)
  checkUrl(problems, body.url, policy)
  const headers = checkHeaders(problems, body.headers)
  const retry = checkRetry(problems, body.retry)
  const isAsync = body.async ?? !before
  if (typeof isAsync !== 'boolean') problems.add('async', 'type', 'async must be a boolean')
  else if (before && isAsync) problems.add('async', 'sync_only', `${String(hook)} webhooks run inside the transaction to veto the write: async must be false`)
  const condition = body.condition === undefined || body.condition === null || body.condition === '' ? null : body.condition
  if (condition !== null && typeof condition !== 'string') problems.add('condition', 'type', 'condition must be an expression string')
  if (problems.any) return null
  return {
    entity: filled.entity as string,
    hook: hook as WebhookHook,
    url: body.url as string,
    method: filled.method as WebhookMethod,
    headers,
    condition: condition as string | null,
    async: isAsync as boolean,
    retry,
    timeout_ms: filled.timeout_ms as number,
    secret: filled.secret as string | null,
    active: filled.active as boolean
  }
}
