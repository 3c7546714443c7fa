// The webhook form's pure conversions: a stored webhook → form state → the body to send.
import type { Backoff, Webhook, WebhookHook, WebhookMethod } from '../../api/ops-types.js'
import { pretty } from '../../components/form-values.js'

/** The form's state: numbers and JSON as typed. */
export interface WebhookDraft {
  entity: string
  hook: WebhookHook
  url: string
  method: WebhookMethod
  headers: string
  condition: string
  async: boolean
  max_attempts: string
  backoff: Backoff
  timeout_ms: string
  active: boolean
  secret: string
  removeSecret: boolean
}

export function draftOf (w: Webhook | null): WebhookDraft {
  return {
    entity: w?.entity ?? '',
    hook: w?.hook ?? 'after_write',
    url: w?.url ?? '',
    method: w?.method ?? 'POST',
    headers: pretty(w?.headers ?? {}),
    condition: w?.condition ?? '',
    async: w?.async ?? true,
    max_attempts: String(w?.retry.max_attempts ?? 3),
    backoff: w?.retry.backoff ?? 'exponential',
    timeout_ms: String(w?.timeout_ms ?? 5000),
    active: w?.active ?? true,
    secret: '',
    removeSecret: false
  }
}

/** The body to send; the secret only when typed (or null to remove it): it is write-only. */
export function bodyOf (d: WebhookDraft, headers: unknown): Record<string, unknown> {
  const body: Record<string, unknown> = {
    entity: d.entity,
    hook: d.hook,
    url: d.url.trim(),
    method: d.method,
    headers,
    condition: d.condition.trim() === '' ? null : d.condition.trim(),
    async: d.hook.startsWith('before_') ? false : d.async,
    retry: { max_attempts: Number(d.max_attempts), backoff: d.backoff },
    timeout_ms: Number(d.timeout_ms),
    active: d.active
  }
  if (d.removeSecret) body.secret = null
  else if (d.secret !== '') body.secret = d.secret
  return body
}
