import type { Kysely } from 'kysely'
import { notFoundById, requireById } from '../db/by-id.js'
import type { AppDatabase } from '../db/system-tables.js'
import { conflict, validationFailed, type ErrorDetail } from '../errors.js'
import { normalizeRoles } from '../permissions/schemas.js'
import { shapeProblems } from '../schema/shape.js'
import { EMAIL_RE, USER_BODIES } from './admin-schemas.js'
import { hashPassword, MIN_PASSWORD_LENGTH } from './passwords.js'

type Db = Kysely<AppDatabase>

/** A user as the admin API returns it: never the password or its hash. */
export interface UserRecord {
  id: string
  email: string
  roles: string[]
  active: boolean
  /** Set by `POST /auth/verify-email` (or a completed password reset); cleared when the email changes. */
  email_verified: boolean
  created_at: Date
  updated_at: Date
}

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

interface UserChanges { email?: string, password?: string, roles?: string[], active?: boolean }

/**
 * A user body: its shape against the schema the route declares (`admin-schemas.ts`; sample users
 * arrive by import, without a route), then the address (normalized) and the password policy.
 */
function parseUserBody (body: unknown, creating: boolean): UserChanges {
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

function emailTaken (email: string): Error {
  return conflict(`A user with email '${email}' already exists`, [{ field: 'email', rule: 'unique', message: 'email is taken' }])
}

function isUniqueViolation (err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505'
}

/** Whether a user with this (normalized) email exists, case-insensitively. */
export async function userExists (db: Db, email: string, exceptId?: string): Promise<boolean> {
  let q = db.selectFrom('_users').select('id').where((eb) => eb(eb.fn('lower', ['email']), '=', email))
  if (exceptId !== undefined) q = q.where('id', '<>', exceptId)
  return (await q.executeTakeFirst()) !== undefined
}

/** One page of users ordered by email, and the total. */
export async function listUsers (db: Db, page: { page: number, perPage: number }): Promise<{ rows: UserRecord[], total: number }> {
  const [rows, count] = await Promise.all([
    db.selectFrom('_users').select(COLUMNS).orderBy('email').orderBy('id').limit(page.perPage).offset((page.page - 1) * page.perPage).execute(),
    db.selectFrom('_users').select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow()
  ])
  return { rows, total: Number(count.total) }
}

/** One user; NOT_FOUND (also for an id that is not a UUID). */
export async function getUser (db: Db, id: string): Promise<UserRecord> {
  return await requireById('User', id, async (id) => await db.selectFrom('_users').select(COLUMNS).where('id', '=', id).executeTakeFirst())
}

/** Creates a user: email (unique, case-insensitive → 409), password (hashed), roles, active. */
export async function createUser (db: Db, body: unknown): Promise<UserRecord> {
  const c = parseUserBody(body, true)
  const email = c.email as string
  if (await userExists(db, email)) throw emailTaken(email)
  try {
    return await db.insertInto('_users')
      .values({ email, password_hash: await hashPassword(c.password as string), roles: c.roles ?? [], ...(c.active !== undefined ? { active: c.active } : {}) })
      .returning(COLUMNS).executeTakeFirstOrThrow()
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken(email)
    throw err
  }
}

/** What an update changed that the caller must act on (token revocation). */
export interface UserUpdate {
  user: UserRecord
  before: UserRecord
  passwordChanged: boolean
  /** The user's token version after the update, when it was raised (older access tokens are refused). */
  tokenVersion: number | null
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
function invalidatesTokens (c: UserChanges, before: UserRecord): boolean {
  return c.password !== undefined ||
    (c.roles !== undefined && !sameRoles(c.roles, before.roles)) ||
    (c.active !== undefined && c.active !== before.active) ||
    (c.email !== undefined && c.email !== before.email)
}

/** Partial update (PUT with a subset of email, password, roles, active). */
export async function updateUser (db: Db, id: string, body: unknown): Promise<UserUpdate> {
  const before = await getUser(db, id)
  const c = parseUserBody(body, false)
  if (c.email !== undefined && c.email !== before.email && await userExists(db, c.email, before.id)) throw emailTaken(c.email)
  const set = {
    // A new address is unverified until its owner confirms it.
    ...(c.email !== undefined ? { email: c.email, ...(c.email !== before.email ? { email_verified: false } : {}) } : {}),
    ...(c.roles !== undefined ? { roles: c.roles } : {}),
    ...(c.active !== undefined ? { active: c.active } : {}),
    ...(c.password !== undefined ? { password_hash: await hashPassword(c.password) } : {}),
    updated_at: new Date()
  }
  const raise = invalidatesTokens(c, before)
  try {
    const row = await db.updateTable('_users')
      .set(raise ? { ...set, token_version: (eb) => eb('token_version', '+', 1) } : set)
      .where('id', '=', before.id).returning([...COLUMNS, 'token_version']).executeTakeFirst()
    if (row === undefined) throw notFoundById('User', id)
    const { token_version: tokenVersion, ...user } = row
    return { user, before, passwordChanged: c.password !== undefined, tokenVersion: raise ? tokenVersion : null }
  } catch (err) {
    if (isUniqueViolation(err)) throw emailTaken(c.email ?? before.email)
    throw err
  }
}

/** Deletes a user (their refresh tokens go with them: ON DELETE CASCADE). */
export async function deleteUser (db: Db, id: string): Promise<UserRecord> {
  const user = await getUser(db, id)
  await db.deleteFrom('_users').where('id', '=', user.id).execute()
  return user
}
