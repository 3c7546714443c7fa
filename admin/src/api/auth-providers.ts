// `/_admin/auth-providers` (docs/reference.md, "Federated login"): OpenID Connect providers of an app.
import type { ProviderRecord } from '../../../lib/oidc/types.js'
import { apiData } from './client.js'
import type { Json } from './types.js'

export type AuthProvider = Json<ProviderRecord>

const path = (app: string, id?: string): string => `/${encodeURIComponent(app)}/_admin/auth-providers${id !== undefined ? `/${encodeURIComponent(id)}` : ''}`

export const authProviders = {
  list: async (app: string): Promise<AuthProvider[]> => await apiData<AuthProvider[]>(path(app)),
  create: async (app: string, body: unknown): Promise<AuthProvider> => await apiData<AuthProvider>(path(app), { method: 'POST', body }),
  update: async (app: string, id: string, body: unknown): Promise<AuthProvider> => await apiData<AuthProvider>(path(app, id), { method: 'PUT', body }),
  remove: async (app: string, id: string): Promise<void> => { await apiData<unknown>(path(app, id), { method: 'DELETE' }) }
}
