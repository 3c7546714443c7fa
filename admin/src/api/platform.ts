import { session, setSession, sessionFromTokens, type Session } from '../state/session.js'
import { apiData, request } from './client.js'
import type { AppInfo, Tokens } from './types.js'

export interface Credentials {
  email: string
  password: string
}

/** Platform login (`scope: platform`) or login to one app's users (`scope: app`). */
export async function login (creds: Credentials, app: string | null): Promise<Session> {
  const path = app === null ? '/_platform/auth/login' : `/${encodeURIComponent(app)}/auth/login`
  const tokens = await apiData<Tokens>(path, { method: 'POST', body: creds, anonymous: true })
  const next = sessionFromTokens(app === null ? 'platform' : 'app', app, tokens)
  setSession(next)
  return next
}

/** How long logging out waits for the server to revoke the refresh token. */
const LOGOUT_WAIT_MS = 5000

/**
 * Revokes the refresh token (best effort), then forgets the session: the login
 * page only shows once the server has answered, so a token copied before the
 * logout is already dead when it does. A server that does not answer within
 * LOGOUT_WAIT_MS does not keep the user signed in.
 */
export async function logout (): Promise<void> {
  const s = session()
  if (s === null) return
  const path = s.scope === 'platform' ? '/_platform/auth/logout' : `/${s.app ?? ''}/auth/logout`
  const revoked = request(path, { method: 'POST', body: { refresh_token: s.refreshToken }, anonymous: true }).then(() => undefined, () => undefined)
  await Promise.race([revoked, new Promise<void>((resolve) => { setTimeout(resolve, LOGOUT_WAIT_MS) })])
  setSession(null)
}

export const listApps = async (): Promise<AppInfo[]> => await apiData<AppInfo[]>('/_platform/apps')

export const createApp = async (body: { name: string, display_name?: string }): Promise<AppInfo> =>
  await apiData<AppInfo>('/_platform/apps', { method: 'POST', body })

export const deleteApp = async (name: string): Promise<void> => {
  await apiData<unknown>(`/_platform/apps/${encodeURIComponent(name)}`, { method: 'DELETE' })
}
