import type { Sql } from '../db/connection.js'
import { invalidPayload, unauthorized } from '../errors.js'
import { verifyPassword } from './passwords.js'
import { issueRefreshToken, revokeRefreshToken, rotateRefreshToken, type RefreshTable } from './refresh-tokens.js'

/** Where one population of users lives: app users (`_users`) or platform users. */
export interface UserDirectory {
  sql: Sql
  users: '_users' | '_platform_users'
  refresh: RefreshTable
  refreshTtl: number
}

export interface SessionUser {
  id: string
  email: string
  roles: string[]
  /** App users: the token version the access token carries (docs/security.md, "Access tokens"). */
  tokenVersion?: number
}

/** The `token_version` column where the directory has one (app users), as `tv`. */
function tokenVersionColumn (dir: UserDirectory): ReturnType<Sql> {
  return dir.users === '_users' ? dir.sql`, token_version AS tv` : dir.sql``
}

function sessionUser (row: { id: string, email: string, roles: string[], tv?: number }): SessionUser {
  return { id: row.id, email: row.email, roles: row.roles, ...(row.tv !== undefined ? { tokenVersion: row.tv } : {}) }
}

export interface Session {
  user: SessionUser
  refreshToken: string
}

function credentials (body: unknown): { email: string, password: string } {
  const b = body as { email?: unknown, password?: unknown } | null
  if (typeof b !== 'object' || b === null || typeof b.email !== 'string' || typeof b.password !== 'string' || b.email === '' || b.password === '') {
    throw invalidPayload('email and password are required', [
      { field: 'email', message: 'email must be a non-empty string' }, { field: 'password', message: 'password must be a non-empty string' }])
  }
  return { email: b.email.trim(), password: b.password }
}

export function refreshTokenOf (body: unknown): string {
  const token = (body as { refresh_token?: unknown } | null)?.refresh_token
  if (typeof token !== 'string' || token === '') throw invalidPayload('refresh_token is required', [{ field: 'refresh_token', message: 'refresh_token must be a non-empty string' }])
  return token
}

/**
 * Checks email + password. Unknown email, wrong password, inactive user and an app user
 * without a password (created by federated login: `password_hash` null) all answer the same
 * 401 after the same amount of bcrypt work, so the answer reveals nothing.
 */
export async function login (dir: UserDirectory, body: unknown): Promise<Session> {
  const { email, password } = credentials(body)
  const rows = await dir.sql<{ id: string, email: string, roles: string[], password_hash: string | null, active: boolean, tv?: number }[]>`
    SELECT id, email, roles, password_hash, active${tokenVersionColumn(dir)} FROM ${dir.sql(dir.users)} WHERE lower(email) = lower(${email})`
  const row = rows[0]
  const ok = await verifyPassword(password, row?.password_hash ?? null)
  if (row === undefined || !ok || !row.active) throw unauthorized('Invalid email or password')
  const refreshToken = await issueRefreshToken(dir.sql, { table: dir.refresh, userId: row.id, ttlSeconds: dir.refreshTtl })
  return { user: sessionUser(row), refreshToken }
}

/** Rotates a refresh token and returns the (still active) user it belongs to. */
export async function refresh (dir: UserDirectory, body: unknown): Promise<Session> {
  const rotated = await rotateRefreshToken(dir.sql, { table: dir.refresh, token: refreshTokenOf(body), ttlSeconds: dir.refreshTtl })
  const rows = await dir.sql<{ id: string, email: string, roles: string[], active: boolean, tv?: number }[]>`
    SELECT id, email, roles, active${tokenVersionColumn(dir)} FROM ${dir.sql(dir.users)} WHERE id = ${rotated.userId}`
  const row = rows[0]
  if (row === undefined || !row.active) {
    await revokeRefreshToken(dir.sql, { table: dir.refresh, token: rotated.token })
    throw unauthorized('User is disabled')
  }
  return { user: sessionUser(row), refreshToken: rotated.token }
}

export async function logout (dir: UserDirectory, body: unknown): Promise<void> {
  await revokeRefreshToken(dir.sql, { table: dir.refresh, token: refreshTokenOf(body) })
}
