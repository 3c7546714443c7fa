import type { CompiledExpression } from '../expressions/index.js'

/** When a webhook fires: before_* inside the transaction (sync, can veto), after_* once written. */
export const WEBHOOK_HOOKS = ['before_write', 'after_write', 'before_delete', 'after_delete'] as const
export type WebhookHook = typeof WEBHOOK_HOOKS[number]

/** HTTP methods a webhook may use (GET sends no body). */
export const WEBHOOK_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
export type WebhookMethod = typeof WEBHOOK_METHODS[number]

/** Retry delays: `fixed` = base, `exponential` = base × 2^(attempt − 1). */
export const BACKOFFS = ['exponential', 'fixed'] as const
export type Backoff = typeof BACKOFFS[number]

/** Delivery states of a `_webhook_logs` row. */
export const LOG_STATUSES = ['pending', 'retrying', 'delivered', 'failed'] as const
export type LogStatus = typeof LOG_STATUSES[number]

/** `hook` of log rows written for state-machine `webhook` actions (no `_webhooks` row behind them). */
export const STATE_MACHINE_HOOK = 'state_machine'

/** `hook` of log rows written for workflow `webhook` actions (no `_webhooks` row behind them either). */
export const WORKFLOW_HOOK = 'workflow'

/** How often a failed async delivery is tried, and how the delay grows. */
export interface RetryPolicy {
  max_attempts: number
  backoff: Backoff
}

/** A webhook as sent through the admin API (defaults filled) and stored in `_webhooks`. */
export interface WebhookDef {
  entity: string
  hook: WebhookHook
  url: string
  method: WebhookMethod
  /** Header values may hold `{{env.NAME}}` templates, resolved at dispatch time. */
  headers: Record<string, string>
  condition: string | null
  async: boolean
  retry: RetryPolicy
  timeout_ms: number
  /** Write-only; null when the webhook signs nothing. */
  secret: string | null
  active: boolean
}

/** A stored webhook. */
export interface WebhookRow extends WebhookDef {
  id: string
  created_at: Date
  updated_at: Date
}

/** What the admin API returns: the secret replaced by whether there is one. */
export type WebhookView = Omit<WebhookRow, 'secret'> & { has_secret: boolean }

/** A `_webhook_logs` row. */
export interface LogRow {
  id: string
  webhook_id: string | null
  entity: string
  hook: string
  url: string
  method: string
  /** As stored: header templates unresolved, so no secret value ever reaches the table. */
  request_headers: Record<string, string>
  request_body: unknown
  response_status: number | null
  response_body: string | null
  status: LogStatus
  attempt: number
  max_attempts: number
  next_retry_at: Date | null
  error: string | null
  idempotency_key: string
  created_at: Date
  updated_at: Date
}

/** An active webhook compiled for a registry version. */
export interface CompiledWebhook {
  id: string
  entity: string
  hook: WebhookHook
  url: string
  method: WebhookMethod
  headers: Readonly<Record<string, string>>
  condition: CompiledExpression | null
  async: boolean
  retry: RetryPolicy
  timeoutMs: number
  secret: string | null
}

/** The body every webhook receives (docs/reference.md, "Webhooks"). */
export interface WebhookPayload {
  event: string
  hook: string
  entity: string
  action: 'create' | 'update' | 'delete'
  record: Record<string, unknown> | null
  old: Record<string, unknown> | null
  changes: Record<string, { old: unknown, new: unknown }>
  user: { id: string, email: string, roles: string[] } | null
  timestamp: string
  idempotency_key: string
  [extra: string]: unknown
}
