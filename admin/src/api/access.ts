import { apiData, type Query } from './client.js'

/** API keys and mail templates of one app (`/_admin/api-keys`, `/_admin/mail-templates`, `/_admin/mail-settings`). */
const admin = (app: string, path: string): string => `/${encodeURIComponent(app)}/_admin/${path}`

export type ApiKeyStatus = 'active' | 'expired' | 'revoked'
export const API_KEY_STATUSES: readonly ApiKeyStatus[] = ['active', 'expired', 'revoked']

export interface ApiKey {
  id: string
  name: string
  roles: string[]
  prefix: string
  status: ApiKeyStatus
  expires_at: string | null
  revoked_at: string | null
  last_used_at: string | null
  created_at: string
  /** Only in the answer that created the key. */
  key?: string
}

export const apiKeys = {
  list: async (app: string, query?: Query): Promise<ApiKey[]> => await apiData<ApiKey[]>(admin(app, 'api-keys'), query !== undefined ? { query } : {}),
  create: async (app: string, body: { name: string, roles: string[], expires_at?: string | null }): Promise<ApiKey> =>
    await apiData<ApiKey>(admin(app, 'api-keys'), { method: 'POST', body }),
  revoke: async (app: string, id: string): Promise<void> => { await apiData<unknown>(admin(app, `api-keys/${encodeURIComponent(id)}`), { method: 'DELETE' }) }
}

export type MailKind = 'reset' | 'verify' | 'invite'

export interface MailTemplate {
  kind: MailKind
  subject: string
  text: string
  html: string | null
  is_default: boolean
  updated_at: string | null
}

export interface MailSettings {
  app_url: string | null
  effective_app_url: string
  transport: 'smtp' | 'log'
}

export const mail = {
  templates: async (app: string): Promise<MailTemplate[]> => await apiData<MailTemplate[]>(admin(app, 'mail-templates')),
  save: async (app: string, kind: MailKind, body: { subject: string, text: string, html: string | null }): Promise<MailTemplate> =>
    await apiData<MailTemplate>(admin(app, `mail-templates/${kind}`), { method: 'PUT', body }),
  reset: async (app: string, kind: MailKind): Promise<MailTemplate> => await apiData<MailTemplate>(admin(app, `mail-templates/${kind}`), { method: 'DELETE' }),
  settings: async (app: string): Promise<MailSettings> => await apiData<MailSettings>(admin(app, 'mail-settings')),
  saveSettings: async (app: string, appUrl: string | null): Promise<MailSettings> =>
    await apiData<MailSettings>(admin(app, 'mail-settings'), { method: 'PUT', body: { app_url: appUrl } })
}
