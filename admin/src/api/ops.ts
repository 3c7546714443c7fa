import { api, apiData, type Query } from './client.js'
import type {
  AppEvent, AppUser, AuditEntry, BulkInviteResult, EventStats, ImportReport, Invite, Permission, UiConfig, Waterfall, Webhook, WebhookLog
} from './ops-types.js'
import type { ListEnvelope } from './types.js'

const admin = (app: string, path: string): string => `/${encodeURIComponent(app)}/_admin/${path}`
const id = (v: string): string => encodeURIComponent(v)

/** The calls of one `/_admin/<kind>` resource. */
export interface Crud<T> {
  list: (app: string, query?: Query) => Promise<T[]>
  create: (app: string, body: unknown) => Promise<T>
  update: (app: string, key: string, body: unknown) => Promise<T>
  remove: (app: string, key: string) => Promise<void>
}

function crud<T> (kind: string): Crud<T> {
  return {
    list: async (app: string, query?: Query): Promise<T[]> => await apiData<T[]>(admin(app, kind), query !== undefined ? { query } : {}),
    create: async (app: string, body: unknown): Promise<T> => await apiData<T>(admin(app, kind), { method: 'POST', body }),
    update: async (app: string, key: string, body: unknown): Promise<T> => await apiData<T>(admin(app, `${kind}/${id(key)}`), { method: 'PUT', body }),
    remove: async (app: string, key: string): Promise<void> => { await apiData<unknown>(admin(app, `${kind}/${id(key)}`), { method: 'DELETE' }) }
  }
}

export const users = {
  ...crud<AppUser>('users'),
  page: async (app: string, query: Query): Promise<ListEnvelope<AppUser>> => await api<ListEnvelope<AppUser>>(admin(app, 'users'), { query })
}

export const invites = {
  ...crud<Invite>('invites'),
  bulk: async (app: string, body: { emails: string[], roles: string[] }): Promise<BulkInviteResult> =>
    await apiData<BulkInviteResult>(admin(app, 'invites/bulk'), { method: 'POST', body })
}

export const permissions = crud<Permission>('permissions')
export const webhooks = crud<Webhook>('webhooks')

export const webhookLogs = {
  page: async (app: string, query: Query): Promise<ListEnvelope<WebhookLog>> => await api<ListEnvelope<WebhookLog>>(admin(app, 'webhook-logs'), { query }),
  get: async (app: string, key: string): Promise<WebhookLog> => await apiData<WebhookLog>(admin(app, `webhook-logs/${id(key)}`)),
  retry: async (app: string, key: string): Promise<WebhookLog> => await apiData<WebhookLog>(admin(app, `webhook-logs/${id(key)}/retry`), { method: 'POST' })
}

export const uiConfigs = {
  ...crud<UiConfig>('ui-configs'),
  page: async (app: string, query: Query): Promise<ListEnvelope<UiConfig>> => await api<ListEnvelope<UiConfig>>(admin(app, 'ui-configs'), { query })
}

export const exportSchema = async (app: string, includeData: boolean): Promise<unknown> =>
  await apiData<unknown>(admin(app, 'export'), { query: { include_data: includeData ? 'true' : undefined } })

export const importSchema = async (app: string, doc: unknown): Promise<ImportReport> =>
  await apiData<ImportReport>(admin(app, 'import'), { method: 'POST', body: doc })

export const events = {
  page: async (app: string, query: Query): Promise<ListEnvelope<AppEvent>> => await api<ListEnvelope<AppEvent>>(admin(app, 'events'), { query }),
  trace: async (app: string, traceId: string): Promise<Waterfall> => await apiData<Waterfall>(admin(app, `events/trace/${id(traceId)}`)),
  stats: async (app: string, query: Query = {}): Promise<EventStats> => await apiData<EventStats>(admin(app, 'events/stats'), { query })
}

export const audit = async (app: string, query: Query): Promise<ListEnvelope<AuditEntry>> => await api<ListEnvelope<AuditEntry>>(admin(app, 'audit'), { query })
