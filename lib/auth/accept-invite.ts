import type { Sql } from '../db/connection.js'
import type { UsersRow } from '../db/system-tables.js'
import { conflict, notFound, validationFailed } from '../errors.js'
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

/** Longer than any token this server issues: such a token is unknown without a lookup. */
const MAX_TOKEN_LENGTH = 200

/** The password policy beyond the route schema's shape (`session-schemas.ts`): 72 bytes at most. */
function checkNewPassword (password: string): void {
  const problem = checkPassword(password)
  if (problem !== null) throw validationFailed(`Invalid invite acceptance: ${problem.message}`, [problem])
}

function refused (status: keyof typeof REFUSALS): never {
  const message = REFUSALS[status]
  throw notFound(message, [{ field: 'token', rule: status, message }])
}

/**
 * Accepts an invite (`POST /api/:app/auth/accept-invite {token, password}`): creates the user
 * with the invite's email and roles, marks the invite used — both in one transaction with
 * the invite row locked, so a token works once even under concurrent use — and opens a
 * session. The body's shape is checked by the route schema; an unknown, expired, used or
 * revoked token is 404 NOT_FOUND saying which; a user created meanwhile for that email is
 * CONFLICT (409).
 */
export async function acceptInvite (sql: Sql, opts: { body: { token: string, password: string }, refreshTtl: number }): Promise<Session> {
  const { token, password } = opts.body
  checkNewPassword(password)
  if (token.length > MAX_TOKEN_LENGTH) refused('unknown')
  // Hashed before the transaction: the row lock is never held across bcrypt.
  const hash = await hashPassword(password)
  const user = await sql.begin(async (tx) => {
    const invite = await lockInviteByToken(tx, token)
    const status = invite?.status ?? 'unknown'
    if (invite === null || invite.status !== 'pending') refused(status as keyof typeof REFUSALS)
    const [existing] = await tx`SELECT 1 AS x FROM _users WHERE lower(email) = lower(${invite.email})`
    if (existing !== undefined) throw conflict(`A user with email '${invite.email}' already exists`, [{ field: 'email', rule: 'unique', message: 'email is taken' }])
    const [row] = await tx<Array<Pick<UsersRow, 'id' | 'email' | 'roles'>>>`
      INSERT INTO _users (email, password_hash, roles) VALUES (${invite.email}, ${hash}, ${invite.roles}) RETURNING id, email, roles`
    await markAccepted(tx, invite.id)
    return row as Pick<UsersRow, 'id' | 'email' | 'roles'>
  })
  const refreshToken = await issueRefreshToken(sql, { table: '_refresh_tokens', userId: user.id, ttlSeconds: opts.refreshTtl })
  return { user, refreshToken }
}
