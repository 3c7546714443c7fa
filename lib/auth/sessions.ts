import type { Sql } from '../db/connection.js'
import { unauthorized } from '../errors.js'
import { verifyPassword } from './passwords.js'
import type { Credentials, RefreshBody } from './session-schemas.js'
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

/**
 * Checks email + password. Unknown email, wrong password, inactive user and an app user
 * without a password (created by federated login: `password_hash` null) all answer the same
 * 401 after the same amount of bcrypt work, so the answer reveals nothing.
 */
export async function login (dir: UserDirectory, body: Credentials): Promise<Session> {
  const email = body.email.trim()
  const password = body.password
  const rows = await dir.sql<{ id: string, email: string, roles: string[], password_hash: string | null, active: boolean, tv?: number }[]>`
    SELECT id, email, roles, password_hash, active${tokenVersionColumn(dir)} FROM ${dir.sql(dir.users)} WHERE lower(email) = lower(${email})`
  const row = rows[0]
  const ok = await verifyPassword(password, row?.password_hash ?? null)
  if (row === undefined || !ok || !row.active) throw unauthorized('Invalid email or password')
  const refreshToken = await issueRefreshToken(dir.sql, { table: dir.refresh, userId: row.id, ttlSeconds: dir.refreshTtl })
  return { user: sessionUser(row), refreshToken }
}

/** Rotates a refresh token and returns the (still active) user it belongs to. */
export async function refresh (dir: UserDirectory, body: RefreshBody): Promise<Session> {
  const rotated = await rotateRefreshToken(dir.sql, { table: dir.refresh, token: body.refresh_token, ttlSeconds: dir.refreshTtl })
  const rows = await dir.sql<{ id: string, email: string, roles: string[], active: boolean, tv?: number }[]>`
    SELECT id, email, roles, active${tokenVersionColumn(dir)} FROM ${dir.sql(dir.users)} WHERE id = ${rotated.userId}`
  const row = rows[0]
  if (row === undefined || !row.active) {
    await revokeRefreshToken(dir.sql, { table: dir.refresh, token: rotated.token })
    throw unauthorized('User is disabled')
  }
  return { user: sessionUser(row), refreshToken: rotated.token }
}

export async function logout (dir: UserDirectory, body: RefreshBody): Promise<void> {
  await revokeRefreshToken(dir.sql, { table: dir.refresh, token: body.refresh_token })
}
