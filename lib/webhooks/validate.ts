import { isObject, type Problems } from '../rules/problems.js'
import { shapeProblems } from '../schema/shape.js'
import { checkHeaderTemplate } from './header-templates.js'
import { MAX_SECRET_LENGTH, WEBHOOK_BODIES } from './schemas.js'
import { DEFAULT_ATTEMPTS, DEFAULT_TIMEOUT_MS, urlProblem } from './settings.js'
import type { UrlPolicy } from './ssrf.js'
import type { Backoff, RetryPolicy, WebhookDef, WebhookHook, WebhookMethod } from './types.js'

const HEADER_NAME_RE = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/
/** Headers the engine sets itself (or the HTTP client owns): a webhook may not override them. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'idempotency-key', 'x-rocket-signature'])

function checkHeaders (problems: Problems, raw: unknown): Record<string, string> {
  if (!isObject(raw)) return {}
  const entries = Object.entries(raw)
  const out: Record<string, string> = {}
  for (const [name, value] of entries) {
    const at = `headers.${name}`
    if (!HEADER_NAME_RE.test(name)) problems.add(at, 'pattern', `'${name.slice(0, 100)}' is not a valid header name`)
    else if (RESERVED_HEADERS.has(name.toLowerCase())) problems.add(at, 'reserved', `${name} is set by the engine`)
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
      problems.add(at, 'type', `${at} must be a single-line string`)
      continue
    }
    checkHeaderTemplate(problems, at, value)
    out[name] = value
  }
  return out
}

function filledRetry (raw: unknown): RetryPolicy {
  const given = isObject(raw) ? raw : {}
  return { max_attempts: (given.max_attempts ?? DEFAULT_ATTEMPTS) as number, backoff: (given.backoff ?? 'exponential') as Backoff }
}

function checkUrl (problems: Problems, url: string, policy: UrlPolicy): void {
  const problem = urlProblem(url, policy)
  if (problem !== null) problems.add('url', problem.includes('WEBHOOK_ALLOWED_HOSTS') ? 'allowed_hosts' : 'url', problem)
}

/**
 * Checks a webhook body against its schema (`schemas.ts`, the one the route declares) and what
 * a schema cannot say (URL policy, header names and templates, `async` against the hook), and
 * fills the defaults (method POST, async true for after_* hooks and false for before_* hooks,
 * retry 3 × exponential, timeout 5 s, active). before_* hooks run inside the transaction so that
 * they can veto the write: `async: true` on them is refused. Whether the entity exists and the
 * condition parses is checked by `compileWebhook`. Returns null when anything is wrong.
 */
export function parseWebhookBody (body: unknown, problems: Problems, policy: UrlPolicy): WebhookDef | null {
  for (const d of shapeProblems(WEBHOOK_BODIES.create, body)) problems.add(d.field ?? '', d.rule ?? 'invalid', d.message)
  if (problems.any || !isObject(body)) return null
  const hook = body.hook as WebhookHook
  const before = hook.startsWith('before_')
  checkUrl(problems, body.url as string, policy)
  const headers = checkHeaders(problems, body.headers)
  const isAsync = (body.async ?? !before) as boolean
  if (before && isAsync) problems.add('async', 'sync_only', `${hook} webhooks run inside the transaction to veto the write: async must be false`)
  if (body.secret === '') problems.add('secret', 'type', `secret must be a non-empty string of at most ${MAX_SECRET_LENGTH} characters, or null`)
  if (problems.any) return null
  return {
    entity: body.entity as string,
    hook,
    url: body.url as string,
    method: (body.method ?? 'POST') as WebhookMethod,
    headers,
    condition: body.condition === undefined || body.condition === '' ? null : body.condition as string | null,
    async: isAsync,
    retry: filledRetry(body.retry),
    timeout_ms: (body.timeout_ms ?? DEFAULT_TIMEOUT_MS) as number,
    secret: (body.secret ?? null) as string | null,
    active: (body.active ?? true) as boolean
  }
}
