import { requireById } from '../db/by-id.js'
import type { Sql, TransactionSql } from '../db/connection.js'
import type { UsersRow } from '../db/system-tables.js'
import { conflict, validationFailed, type ErrorDetail } from '../errors.js'
import { normalizeRoles } from '../permissions/schemas.js'
import { shapeProblems } from '../schema/shape.js'
import { EMAIL_RE, USER_BODIES } from './admin-schemas.js'
import { MIN_PASSWORD_LENGTH } from './passwords.js'

/** A user as the admin API returns it: never the password or its hash, nor the token version. */
export type UserRecord = Omit<UsersRow, 'password_hash' | 'token_version'>

const COLUMNS = ['id', 'email', 'roles', 'active', 'email_verified', 'created_at', 'updated_at'] as const
/** bcrypt uses the first 72 bytes only; longer passwords are refused rather than silently cut. */
const MAX_PASSWORD_BYTES = 72
const MAX_EMAIL_LENGTH = 254

/** Trimmed, lower-cased email, or null when it is not a valid address. */
export function normalizeEmail (raw: unknown): string | null {
  if (typeof raw !== 'string') return null
  const email = raw.trim().toLowerCase()
  return email.length <= MAX_EMAIL_LENGTH && EMAIL_RE.test(email) ? email : null
}

/** Password policy: a string of MIN_PASSWORD_LENGTH characters up to 72 bytes; else a detail. */
export function checkPassword (raw: unknown, field = 'password'): ErrorDetail | null {
  if (typeof raw !== 'string') return { field, rule: 'type', message: 'password must be a string' }
  if ([...raw].length < MIN_PASSWORD_LENGTH) return { field, rule: 'min_length', message: `password must be at least ${MIN_PASSWORD_LENGTH} characters` }
  if (Buffer.byteLength(raw) > MAX_PASSWORD_BYTES) return { field, rule: 'max_length', message: `password must be at most ${MAX_PASSWORD_BYTES} bytes` }
  return null
}

export interface UserChanges { email?: string, password?: string, roles?: string[], active?: boolean }

/**
 * A user body: its shape against the schema the route declares (`admin-schemas.ts`; sample users
 * arrive by import, without a route), then the address (normalized) and the password policy.
 */
export function parseUserBody (body: unknown, creating: boolean): UserChanges {
  const out: ErrorDetail[] = shapeProblems(creating ? USER_BODIES.create : USER_BODIES.update, body)
  if (out.length > 0) throw validationFailed(`Invalid user: ${out[0]?.message ?? ''}`, out)
  const b = body as { email?: string, password?: string, roles?: string[], active?: boolean }
  const changes: UserChanges = {}
  if (b.email !== undefined) {
    const email = normalizeEmail(b.email)
    if (email === null) out.push({ field: 'email', rule: 'format', message: 'email must be a valid email address' })
    else changes.email = email
  }
  if (b.password !== undefined) {
    const problem = checkPassword(b.password)
    if (problem !== null) out.push(problem)
    else changes.password = b.password
  }
  if (b.roles !== undefined) changes.roles = normalizeRoles(b.roles)
  if (b.active !== undefined) changes.active = b.active
  if (out.length > 0) throw validationFailed(`Invalid user: ${out[0]?.message ?? ''}`, out)
  return changes
}

export function emailTaken (email: string): Error {
  return conflict(`A user with email '${email}' already exists`, [{ field: 'email', rule: 'unique', message: 'email is taken' }])
}

export function isUniqueViolation (err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505'
}

function sameRoles (a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a)
  return set.size === new Set(b).size && b.every((r) => set.has(r))
}

/**
 * Whether existing access tokens must stop working: they carry the user's roles and email
 * (permission conditions read `$user.email`), and a new password or a deactivation must end
 * every session (docs/security.md, "Access tokens").
 */
export function invalidatesTokens (c: UserChanges, before: UserRecord): boolean {
  return c.password !== undefined ||
    (c.roles !== undefined && !sameRoles(c.roles, before.roles)) ||
    (c.active !== undefined && c.active !== before.active) ||
    (c.email !== undefined && c.email !== before.email)
}

/** Whether a user with this (normalized) email exists, case-insensitively. */
export async function userExists (sql: Sql | TransactionSql, email: string, exceptId?: string): Promise<boolean> {
  const [row] = exceptId === undefined
    ? await sql`SELECT 1 AS x FROM _users WHERE lower(email) = ${email} LIMIT 1`
    : await sql`SELECT 1 AS x FROM _users WHERE lower(email) = ${email} AND id <> ${exceptId} LIMIT 1`
  return row !== undefined
}

/** One page of users ordered by email, and the total. */
export async function listUsers (sql: Sql, page: { page: number, perPage: number }): Promise<{ rows: UserRecord[], total: number }> {
  const [rows, count] = await Promise.all([
    sql<UserRecord[]>`SELECT ${sql(COLUMNS)} FROM _users ORDER BY email, id LIMIT ${page.perPage} OFFSET ${(page.page - 1) * page.perPage}`,
    sql<Array<{ total: string }>>`SELECT count(*) AS total FROM _users`
  ])
  return { rows, total: Number(count[0]?.total ?? 0) }
}

/** One user; NOT_FOUND (also for an id that is not a UUID). */
export async function getUser (sql: Sql, id: string): Promise<UserRecord> {
  return await requireById('User', id, async (id) => (await sql<UserRecord[]>`SELECT ${sql(COLUMNS)} FROM _users WHERE id = ${id}`)[0])
}

/** The user locked for a change in `tx`; NOT_FOUND when gone (also for an id that is not a UUID). */
export async function lockUser (tx: TransactionSql, id: string): Promise<UserRecord> {
  return await requireById('User', id, async (id) => (await tx<UserRecord[]>`SELECT ${tx(COLUMNS)} FROM _users WHERE id = ${id} FOR UPDATE`)[0])
}

/** Inserts a user (email normalized, password already hashed); a taken email is CONFLICT. */
export async function insertUser (sql: Sql, user: { email: string, passwordHash: string, roles: string[], active?: boolean | undefined }): Promise<UserRecord> {
  try {
    const [row] = await sql<UserRecord[]>`INSERT INTO _users (email, password_hash, roles, active)
      VALUES (${user.email}, ${user.passwordHash}, ${user.roles}::text[], ${user.active ?? true}) RETURNING ${sql(COLUMNS)}`
    return row as UserRecord
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken(user.email)
    throw err
  }
}

/**
 * Writes the parsed changes of a locked user in one UPDATE: a new address is unverified until
 * its owner confirms it, and `raise` raises the token version in the same statement.
 */
export async function writeUserChanges (tx: TransactionSql, before: UserRecord, c: UserChanges & { passwordHash: string | null }, raise: boolean): Promise<UserRecord & { token_version: number }> {
  const emailChanged = c.email !== undefined && c.email !== before.email
  const [row] = await tx<Array<UserRecord & { token_version: number }>>`UPDATE _users SET
      email = ${c.email ?? before.email},
      email_verified = CASE WHEN ${emailChanged} THEN false ELSE email_verified END,
      roles = coalesce(${c.roles ?? null}::text[], roles),
      active = coalesce(${c.active ?? null}::boolean, active),
      password_hash = coalesce(${c.passwordHash}, password_hash),
      token_version = token_version + ${raise ? 1 : 0},
      updated_at = now()
    WHERE id = ${before.id} RETURNING ${tx(COLUMNS)}, token_version`
  return row as UserRecord & { token_version: number }
}

/** Deletes a locked user (their refresh tokens go with them: ON DELETE CASCADE). */
export async function deleteUserRow (tx: TransactionSql, id: string): Promise<void> {
  await tx`DELETE FROM _users WHERE id = ${id}`
}
