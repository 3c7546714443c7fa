import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { Sql, TransactionSql } from '../db/connection.js'
import { unauthorized } from '../errors.js'

/** `_refresh_tokens` in app databases, `_platform_refresh_tokens` in the management database. */
export type RefreshTable = '_refresh_tokens' | '_platform_refresh_tokens'

function hashToken (token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** Issues an opaque refresh token (stored only as a hash) in a new or existing family. */
export async function issueRefreshToken (sql: Sql, opts: { table: RefreshTable, userId: string, ttlSeconds: number, familyId?: string }): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  const expires = new Date(Date.now() + opts.ttlSeconds * 1000)
  await sql`INSERT INTO ${sql(opts.table)} (user_id, token_hash, family_id, expires_at)
    VALUES (${opts.userId}, ${hashToken(token)}, ${opts.familyId ?? randomUUID()}, ${expires})`
  return token
}

/**
 * Rotates a refresh token: the presented one is marked used and a new one in the same family
 * is returned, in one transaction with the row locked (two concurrent uses cannot both win).
 * A token presented again after rotation is a theft signal: its whole family is revoked.
 */
export async function rotateRefreshToken (sql: Sql, opts: { table: RefreshTable, token: string, ttlSeconds: number }): Promise<{ userId: string, token: string }> {
  const outcome = await sql.begin(async (tx) => {
    const rows = await tx<{ id: string, user_id: string, family_id: string, expires_at: Date, rotated_at: Date | null, revoked_at: Date | null }[]>`
      SELECT id, user_id, family_id, expires_at, rotated_at, revoked_at FROM ${tx(opts.table)}
      WHERE token_hash = ${hashToken(opts.token)} FOR UPDATE`
    const row = rows[0]
    if (row === undefined) return null
    if (row.rotated_at !== null || row.revoked_at !== null) {
      await tx`UPDATE ${tx(opts.table)} SET revoked_at = now() WHERE family_id = ${row.family_id} AND revoked_at IS NULL`
      return 'reused' as const
    }
    if (row.expires_at.getTime() <= Date.now()) return null
    await tx`UPDATE ${tx(opts.table)} SET rotated_at = now() WHERE id = ${row.id}`
    const token = randomBytes(32).toString('base64url')
    await tx`INSERT INTO ${tx(opts.table)} (user_id, token_hash, family_id, expires_at)
      VALUES (${row.user_id}, ${hashToken(token)}, ${row.family_id}, ${new Date(Date.now() + opts.ttlSeconds * 1000)})`
    return { userId: row.user_id, token }
  })
  if (outcome === null) throw unauthorized('Invalid or expired refresh token')
  if (outcome === 'reused') throw unauthorized('Refresh token was already used; the session has been revoked')
  return outcome as { userId: string, token: string }
}

/** Revokes the family of a refresh token (logout). Unknown tokens are ignored. */
export async function revokeRefreshToken (sql: Sql, opts: { table: RefreshTable, token: string }): Promise<void> {
  await sql`UPDATE ${sql(opts.table)} SET revoked_at = now()
    WHERE family_id IN (SELECT family_id FROM ${sql(opts.table)} WHERE token_hash = ${hashToken(opts.token)}) AND revoked_at IS NULL`
}

/** Revokes every refresh token of a user (deactivation, password change). */
export async function revokeUserTokens (sql: Sql | TransactionSql, opts: { table: RefreshTable, userId: string }): Promise<void> {
  await sql`UPDATE ${sql(opts.table)} SET revoked_at = now() WHERE user_id = ${opts.userId} AND revoked_at IS NULL`
}
