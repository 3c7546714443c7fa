import { createSignal } from 'solid-js'
import type { SessionUser, Tokens } from '../api/types.js'

/** Platform sessions manage every app; app sessions are bound to the app they logged into. */
export interface Session {
  scope: 'platform' | 'app'
  /** The app of an app session; null for platform sessions. */
  app: string | null
  accessToken: string
  refreshToken: string
  user: SessionUser
}

const SESSION_KEY = 'rocket.admin.session'
const APP_KEY = 'rocket.admin.app'

function isSession (v: unknown): v is Session {
  const s = v as Partial<Session> | null
  return typeof s === 'object' && s !== null && (s.scope === 'platform' || s.scope === 'app') &&
    typeof s.accessToken === 'string' && typeof s.refreshToken === 'string' && typeof s.user === 'object'
}

function readStored (): Session | null {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null')
    return isSession(parsed) ? parsed : null
  } catch {
    return null
  }
}

const [session, setSessionSignal] = createSignal<Session | null>(readStored())
const [selectedApp, setSelectedAppSignal] = createSignal<string | null>(localStorage.getItem(APP_KEY))

export { selectedApp, session }

export function setSession (next: Session | null): void {
  if (next === null) localStorage.removeItem(SESSION_KEY)
  else localStorage.setItem(SESSION_KEY, JSON.stringify(next))
  setSessionSignal(next)
}

/** Stores tokens from a login or refresh answer. */
export function sessionFromTokens (scope: Session['scope'], app: string | null, tokens: Tokens): Session {
  return { scope, app, accessToken: tokens.access_token, refreshToken: tokens.refresh_token, user: tokens.user }
}

/** Remembers the app the pages work on (kept across reloads). */
export function selectApp (name: string | null): void {
  if (name === null) localStorage.removeItem(APP_KEY)
  else localStorage.setItem(APP_KEY, name)
  setSelectedAppSignal(name)
}
