// Shapes of the operations pages' admin API (docs/reference.md, "Business logic") as they arrive in JSON (dates as strings).
// Enumerations come from the engine's own declarations where those are free of server code.
export { CONDITION_OPERATORS, PERMISSION_ACTIONS, USER_REF_PREFIX, USER_REFS, type ConditionDef, type PermissionAction } from '../../../lib/permissions/types.js'
import type { ConditionDef, PermissionAction } from '../../../lib/permissions/types.js'
import type { Json } from './types.js'

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
  /** Counted after de-duplication: `total` = created + skipped. */
  summary: { total: number, created: number, skipped: number }
}

export interface Permission {
  id: string
  entity: string
  action: PermissionAction
  roles: string[]
  conditions: ConditionDef[]
  /** Field-level permission: the fields the policy grants; null = every field. */
  fields: string[] | null
  created_at: string
  updated_at: string
}

export { BACKOFFS, LOG_STATUSES, WEBHOOK_HOOKS, WEBHOOK_METHODS, type Backoff, type LogStatus, type WebhookHook, type WebhookMethod } from '../../../lib/webhooks/types.js'
import type { LogRow, WebhookView } from '../../../lib/webhooks/types.js'
import type { StoredEvent } from '../../../lib/events/types.js'

/** A webhook as the admin API returns it (the secret itself is write-only: `has_secret`). */
export type Webhook = Json<WebhookView>

export type WebhookLog = Json<LogRow>

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
  /** `_users` only: the rows skipped because the email has a user. */
  skipped_rows?: Array<{ index: number, email: string, reason: string }>
  errors: Array<{ index?: number, id?: unknown, message: string }>
}
/** `POST /_admin/import`: a report per kind, plus `sample_data` per entity. */
export type ImportReport = Record<string, KindReport | Record<string, SampleReport>>

export type AppEvent = Json<StoredEvent>

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
