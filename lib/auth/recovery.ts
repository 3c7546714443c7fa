import { createHash, randomBytes } from 'node:crypto'
import type { AppContext } from '../apps/context.js'
import type { TransactionSql } from '../db/connection.js'
import type { UsersRow } from '../db/system-tables.js'
import { conflict, notFound, validationFailed } from '../errors.js'
import { UUID_RE } from '../fields/spec.js'
import { hashPassword } from './passwords.js'
import { checkPassword, normalizeEmail } from './users.js'

/** Reset and verification tokens are valid for one hour (docs/reference.md). */
export const RECOVERY_TOKEN_TTL_SECONDS = 3600
/** Longer than any token this server issues: such a token is unknown without a lookup. */
const MAX_TOKEN_LENGTH = 200

export type RecoveryKind = 'reset' | 'verify'

function hashToken (token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** The active user an address names, for mailing them a token (null: nobody to mail). */
export async function activeUserByEmail (app: AppContext, rawEmail: string): Promise<{ id: string, email: string } | null> {
  const email = normalizeEmail(rawEmail)
  if (email === null) return null
  const [row] = await app.sql<Array<Pick<UsersRow, 'id' | 'email'>>>`SELECT id, email FROM _users WHERE lower(email) = ${email} AND active`
  return row ?? null
}

/**
 * A new one-time token for a user, stored as SHA-256 with the address it is mailed to. Older
 * unused tokens of the same kind are deleted in the same transaction: the newest request wins.
 */
export async function issueRecoveryToken (app: AppContext, user: { id: string, email: string }, kind: RecoveryKind): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  const expires = new Date(Date.now() + RECOVERY_TOKEN_TTL_SECONDS * 1000)
  await app.sql.begin(async (tx) => {
    await tx`DELETE FROM _auth_tokens WHERE user_id = ${user.id} AND kind = ${kind} AND used_at IS NULL`
    await tx`INSERT INTO _auth_tokens (user_id, kind, email, token_hash, expires_at) VALUES (${user.id}, ${kind}, ${user.email}, ${hashToken(token)}, ${expires})`
  })
  return token
}

type Refusal = 'unknown' | 'used' | 'expired'
const REFUSALS: Readonly<Record<Refusal, string>> = {
  unknown: 'Invalid or superseded token',
  used: 'This token has already been used',
  expired: 'This token has expired'
}

function refused (why: Refusal): never {
  throw notFound(REFUSALS[why], [{ field: 'token', rule: why, message: REFUSALS[why] }])
}

interface LockedToken { id: string, user_id: string, email: string, active: boolean, current_email: string }

/**
 * Locks a token and its user (so a token works once even under concurrent use); refuses unknown,
 * used and expired tokens, and tokens whose user is inactive or no longer has the address they
 * were mailed to (404 NOT_FOUND, `details[0].rule` saying which).
 */
async function lockToken (tx: TransactionSql, token: string, kind: RecoveryKind): Promise<LockedToken> {
  if (token.length > MAX_TOKEN_LENGTH) refused('unknown')
  const [row] = await tx<Array<LockedToken & { used_at: Date | null, expires_at: Date }>>`
    SELECT t.id, t.user_id, t.email, t.used_at, t.expires_at, u.active, u.email AS current_email
    FROM _auth_tokens t JOIN _users u ON u.id = t.user_id
    WHERE t.token_hash = ${hashToken(token)} AND t.kind = ${kind} FOR UPDATE`
  if (row === undefined) refused('unknown')
  if (row.used_at !== null) refused('used')
  if (row.expires_at.getTime() <= Date.now()) refused('expired')
  if (!row.active || row.current_email.toLowerCase() !== row.email.toLowerCase()) refused('unknown')
  return row
}

/**
 * `POST /auth/reset-password {token, password}`: sets the password, raises the token version
 * (older access tokens are refused), revokes every refresh-token family of the user, marks the
 * address verified (the token reached it) and uses up the token — one transaction.
 */
export async function resetPassword (app: AppContext, body: { token: string, password: string }): Promise<{ userId: string, tokenVersion: number }> {
  const problem = checkPassword(body.password)
  if (problem !== null) throw validationFailed(`Invalid password reset: ${problem.message}`, [problem])
  // Hashed before the transaction: the row locks are never held across bcrypt.
  const hash = await hashPassword(body.password)
  return await app.sql.begin(async (tx) => {
    const token = await lockToken(tx, body.token, 'reset')
    const [user] = await tx<Array<Pick<UsersRow, 'token_version'>>>`UPDATE _users SET password_hash = ${hash}, token_version = token_version + 1,
      email_verified = true, updated_at = now() WHERE id = ${token.user_id} RETURNING token_version`
    await tx`UPDATE _auth_tokens SET used_at = now() WHERE id = ${token.id}`
    await tx`UPDATE _refresh_tokens SET revoked_at = now() WHERE user_id = ${token.user_id} AND revoked_at IS NULL`
    return { userId: token.user_id, tokenVersion: user?.token_version ?? 0 }
  })
}

/** `POST /auth/verify-email {token}`: sets `email_verified` and uses up the token. */
export async function verifyEmail (app: AppContext, token: string): Promise<{ email: string }> {
  return await app.sql.begin(async (tx) => {
    const row = await lockToken(tx, token, 'verify')
    await tx`UPDATE _users SET email_verified = true, updated_at = now() WHERE id = ${row.user_id}`
    await tx`UPDATE _auth_tokens SET used_at = now() WHERE id = ${row.id}`
    return { email: row.current_email }
  })
}

/** The user asking for a verification mail: 409 when already verified, 404 when gone or inactive. */
export async function unverifiedUser (app: AppContext, userId: string): Promise<{ id: string, email: string }> {
  if (!UUID_RE.test(userId)) throw notFound('User not found')
  const [row] = await app.sql<Array<Pick<UsersRow, 'id' | 'email' | 'email_verified' | 'active'>>>`
    SELECT id, email, email_verified, active FROM _users WHERE id = ${userId}`
  if (row === undefined || !row.active) throw notFound('User not found')
  if (row.email_verified) throw conflict(`${row.email} is already verified`, [{ field: 'email', rule: 'verified', message: 'already verified' }])
  return row
}
