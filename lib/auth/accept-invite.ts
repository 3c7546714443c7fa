import type { Sql } from '../db/connection.js'
import { conflict, invalidPayload, validationFailed } from '../errors.js'
import { lockInviteByToken, markAccepted, type InviteStatus } from './invites.js'
import { hashPassword } from './passwords.js'
import { issueRefreshToken } from './refresh-tokens.js'
import type { Session } from './sessions.js'
import { checkPassword } from './users.js'

const REFUSALS: Readonly<Record<Exclude<InviteStatus, 'pending'> | 'unknown', string>> = {
  unknown: 'Invalid invite token',
  expired: 'This invite has expired',
  accepted: 'This invite has already been used',
  revoked: 'This invite has been revoked'
}

function parse (body: unknown): { token: string, password: string } {
  const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>
  if (typeof b.token !== 'string' || b.token === '' || b.token.length > 200) {
    throw invalidPayload('token is required', [{ field: 'token', message: 'token must be the invite token' }])
  }
  const problem = checkPassword(b.password)
  if (problem !== null) throw validationFailed(`Invalid password: ${problem.message}`, [problem])
  return { token: b.token, password: b.password as string }
}

/**
 * Accepts an invite (`POST /api/:app/auth/accept-invite {token, password}`): creates the user
 * with the invite's email and roles, marks the invite used — both in one transaction with
 * the invite row locked, so a token works once even under concurrent use — and opens a
 * session. An unknown, expired, used or revoked token is INVALID_PAYLOAD (400) saying which;
 * a user created meanwhile for that email is CONFLICT (409).
 */
export async function acceptInvite (sql: Sql, opts: { body: unknown, refreshTtl: number }): Promise<Session> {
  const { token, password } = parse(opts.body)
  // Hashed before the transaction: the row lock is never held across bcrypt.
  const hash = await hashPassword(password)
  const user = await sql.begin(async (tx) => {
    const invite = await lockInviteByToken(tx, token)
    const status = invite?.status ?? 'unknown'
    if (invite === null || invite.status !== 'pending') {
      const message = REFUSALS[status as keyof typeof REFUSALS]
      throw invalidPayload(message, [{ field: 'token', rule: status, message }])
    }
    const [existing] = await tx`SELECT 1 AS x FROM _users WHERE lower(email) = lower(${invite.email})`
    if (existing !== undefined) throw conflict(`A user with email '${invite.email}' already exists`, [{ field: 'email', rule: 'unique', message: 'email is taken' }])
    const [row] = await tx<Array<{ id: string, email: string, roles: string[] }>>`
      INSERT INTO _users (email, password_hash, roles) VALUES (${invite.email}, ${hash}, ${invite.roles}) RETURNING id, email, roles`
    await markAccepted(tx, invite.id)
    return row as { id: string, email: string, roles: string[] }
  })
  const refreshToken = await issueRefreshToken(sql, { table: '_refresh_tokens', userId: user.id, ttlSeconds: opts.refreshTtl })
  return { user, refreshToken }
}
