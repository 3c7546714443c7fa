// Shapes of the operations pages' admin API (SPEC §8) as they arrive in JSON (dates as strings).
// Enumerations come from the engine's own declarations where those are free of server code.
export { CONDITION_OPERATORS, PERMISSION_ACTIONS, USER_REF_PREFIX, USER_REFS, type ConditionDef, type PermissionAction } from '../../../lib/permissions/types.js'
import type { ConditionDef, PermissionAction } from '../../../lib/permissions/types.js'

export interface AppUser {
  id: string
  email: string
  roles: string[]
  active: boolean
  created_at: string
  updated_at: string
}

export type InviteStatus = 'pending' | 'accepted' | 'revoked' | 'expired'
export const INVITE_STATUSES: readonly InviteStatus[] = ['pending', 'accepted', 'revoked', 'expired']

export interface Invite {
  id: string
  email: string
  roles: string[]
  status: InviteStatus
  invited_by: string | null
  expires_at: string
  accepted_at: string | null
  revoked_at: string | null
  created_at: string
  /** Only in the answer that created the invite. */
  token?: string
}

export interface BulkInviteResult {
  created: Invite[]
  skipped: Array<{ email: string, reason: string }>
}

export interface Permission {
  id: string
  entity: string
  action: PermissionAction
  roles: string[]
  conditions: ConditionDef[]
  created_at: string
  updated_at: string
}

/** lib/webhooks/types.ts (kept here: that module's types pull in the expression compiler). */
export const WEBHOOK_HOOKS = ['before_write', 'after_write', 'before_delete', 'after_delete'] as const
export type WebhookHook = typeof WEBHOOK_HOOKS[number]
export const WEBHOOK_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const
export type WebhookMethod = typeof WEBHOOK_METHODS[number]
export const BACKOFFS = ['exponential', 'fixed'] as const
export type Backoff = typeof BACKOFFS[number]
export const LOG_STATUSES = ['pending', 'retrying', 'delivered', 'failed'] as const
export type LogStatus = typeof LOG_STATUSES[number]

export interface Webhook {
  id: string
  entity: string
  hook: WebhookHook
  url: string
  method: WebhookMethod
  headers: Record<string, string>
  condition: string | null
  async: boolean
  retry: { max_attempts: number, backoff: Backoff }
  timeout_ms: number
  active: boolean
  /** The secret itself is write-only. */
  has_secret: boolean
  created_at: string
  updated_at: string
}

export interface WebhookLog {
  id: string
  webhook_id: string | null
  entity: string
  hook: string
  url: string
  method: string
  request_headers: Record<string, string>
  request_body: unknown
  response_status: number | null
  response_body: string | null
  status: LogStatus
  attempt: number
  max_attempts: number
  next_retry_at: string | null
  error: string | null
  idempotency_key: string
  created_at: string
  updated_at: string
}

export interface UiConfig {
  id: string
  entity: string
  scope: string
  config: Record<string, unknown>
  created_at: string
  updated_at: string
}

export interface ReportedItem { index: number, name: string }
export interface KindReport {
  created: ReportedItem[]
  updated: ReportedItem[]
  skipped: Array<ReportedItem & { reason: string }>
  errors: Array<ReportedItem & { message: string, details?: Array<{ field?: string, message: string }> }>
}
export interface SampleReport {
  created: number
  skipped: number
  errors: Array<{ index?: number, id?: unknown, message: string }>
}
/** `POST /_admin/import`: a report per kind, plus `sample_data` per entity. */
export type ImportReport = Record<string, KindReport | Record<string, SampleReport>>

export interface AppEvent {
  id: string
  trace_id: string
  span_id: string | null
  parent_span_id: string | null
  event_type: string
  source: 'system' | 'business'
  component: string | null
  action: string | null
  entity: string | null
  record_id: string | null
  user_id: string | null
  duration_ms: number | null
  status: 'ok' | 'error' | null
  metadata: Record<string, unknown> | null
  created_at: string
}

export interface Waterfall {
  trace_id: string
  started_at: string
  duration_ms: number
  spans: Array<AppEvent & { depth: number, offset_ms: number }>
}

export interface EventStats {
  from: string
  to: string
  total: number
  by_type: Array<{ event_type: string, source: string, count: number }>
  by_component: Array<{ component: string, count: number, errors: number, p50_ms: number | null, p95_ms: number | null, max_ms: number | null }>
  sampling_rate: number
}

export interface AuditEntry {
  id: string
  entity: string
  record_id: string
  action: 'create' | 'update' | 'delete'
  changes: Record<string, unknown> | null
  user_id: string | null
  at: string
}
