import { hash, randomBytes } from 'node:crypto'
import { requireById } from '../db/by-id.js'
import type { Sql } from '../db/connection.js'
import type { ApiKeysRow } from '../db/system-tables.js'
import { notFound, validationFailed, type ErrorDetail } from '../errors.js'
import { UUID_RE } from '../fields/spec.js'
import { validateRoles } from '../permissions/validate.js'

/** `rk_` + 32 random bytes in base64url without padding (43 characters). */
export const API_KEY_RE = /^rk_[A-Za-z0-9_-]{43}$/
/** Characters of the key kept in clear for lists: the `rk_` marker and 6 more (36 bits, useless as a key). */
const PREFIX_LENGTH = 9

/** An API key as the admin API returns it: never the key or its hash. */
export interface ApiKeyRecord {
  id: string
  name: string
  roles: string[]
  prefix: string
  status: 'active' | 'expired' | 'revoked'
  expires_at: Date | null
  revoked_at: Date | null
  last_used_at: Date | null
  created_by: string | null
  created_at: Date
}

type ApiKeyRow = Omit<ApiKeysRow, 'key_hash'>

const COLUMNS = ['id', 'name', 'roles', 'prefix', 'created_by', 'expires_at', 'revoked_at', 'last_used_at', 'created_at'] as const

/** Keys are stored as SHA-256 only (a database leak yields no usable key); 256 random bits need no slow hash. */
export function hashApiKey (key: string): string {
  // One-shot `hash` (every request with a key): a third of the cost of a `createHash` object.
  return hash('sha256', key, 'hex')
}

function toRecord (row: ApiKeyRow, now = Date.now()): ApiKeyRecord {
  const status = row.revoked_at !== null ? 'revoked' : row.expires_at !== null && row.expires_at.getTime() <= now ? 'expired' : 'active'
  return { ...row, status }
}

/** What `POST /_admin/api-keys` takes, already shape-checked by its route schema. */
export interface ApiKeyInput {
  name: string
  roles: unknown
  expires_at?: string | null
}

/** Roles (the policy of `/_admin/users`) and an expiry in the future; 422 naming each problem. */
function checkInput (input: ApiKeyInput): { name: string, roles: string[], expiresAt: Date | null } {
  const out: ErrorDetail[] = []
  const roles = validateRoles(input.roles, { field: 'roles', out, allowEmpty: true })
  const name = input.name.trim()
  if (name === '') out.push({ field: 'name', rule: 'required', message: 'name must not be blank' })
  let expiresAt: Date | null = null
  if (input.expires_at !== undefined && input.expires_at !== null) {
    expiresAt = new Date(input.expires_at)
    if (Number.isNaN(expiresAt.getTime())) out.push({ field: 'expires_at', rule: 'format', message: 'expires_at must be a date-time' })
    else if (expiresAt.getTime() <= Date.now()) out.push({ field: 'expires_at', rule: 'future', message: 'expires_at must be in the future' })
  }
  if (out.length > 0) throw validationFailed(`Invalid API key: ${out[0]?.message ?? ''}`, out)
  return { name, roles, expiresAt }
}

/** Creates a key; the answer is the only place the key itself ever appears. */
export async function createApiKey (sql: Sql, input: ApiKeyInput, createdBy: string | null): Promise<ApiKeyRecord & { key: string }> {
  const { name, roles, expiresAt } = checkInput(input)
  const key = `rk_${randomBytes(32).toString('base64url')}`
  const by = createdBy !== null && UUID_RE.test(createdBy) ? createdBy : null
  const [row] = await sql<ApiKeyRow[]>`INSERT INTO _api_keys (name, roles, key_hash, prefix, created_by, expires_at)
    VALUES (${name}, ${roles}::text[], ${hashApiKey(key)}, ${key.slice(0, PREFIX_LENGTH)}, ${by}, ${expiresAt}) RETURNING ${sql(COLUMNS)}`
  return { ...toRecord(row as ApiKeyRow), key }
}

/** Keys, newest first; revoked ones only with `status=revoked` (revoking is the key's DELETE). */
export async function listApiKeys (sql: Sql, status?: ApiKeyRecord['status']): Promise<ApiKeyRecord[]> {
  const rows = await sql<ApiKeyRow[]>`SELECT ${sql(COLUMNS)} FROM _api_keys ORDER BY created_at DESC, id`
  const all = rows.map((r) => toRecord(r))
  return status === undefined ? all.filter((k) => k.status !== 'revoked') : all.filter((k) => k.status === status)
}

export async function getApiKey (sql: Sql, id: string): Promise<ApiKeyRecord> {
  const row = await requireById('API key', id, async (id) => (await sql<ApiKeyRow[]>`SELECT ${sql(COLUMNS)} FROM _api_keys WHERE id = ${id}`)[0])
  return toRecord(row)
}

/** Revokes a key (its DELETE); an already revoked key is 404 like an unknown one. */
export async function revokeApiKey (sql: Sql, id: string): Promise<ApiKeyRecord> {
  await getApiKey(sql, id)
  const [row] = await sql<ApiKeyRow[]>`UPDATE _api_keys SET revoked_at = now() WHERE id = ${id} AND revoked_at IS NULL RETURNING ${sql(COLUMNS)}`
  if (row === undefined) throw notFound(`API key '${id}' not found (already revoked)`)
  return toRecord(row)
}

/** What authenticating with a key needs, looked up by its hash (null: no such key). */
export interface ApiKeyPrincipal {
  id: string
  name: string
  roles: string[]
  /** ms since the epoch, or null for a key that never expires. */
  expiresAt: number | null
  revoked: boolean
}

export async function findApiKeyByHash (sql: Sql, hash: string): Promise<ApiKeyPrincipal | null> {
  const [row] = await sql<Array<Pick<ApiKeysRow, 'id' | 'name' | 'roles' | 'expires_at' | 'revoked_at'>>>`
    SELECT id, name, roles, expires_at, revoked_at FROM _api_keys WHERE key_hash = ${hash}`
  if (row === undefined) return null
  const expires = row.expires_at === null ? null : row.expires_at.getTime()
  return { id: row.id, name: row.name, roles: row.roles, expiresAt: expires, revoked: row.revoked_at !== null }
}

/** Writes the batched `last_used_at` values (one statement; a value never moves backwards). */
export async function recordApiKeyUse (sql: Sql, uses: ReadonlyMap<string, number>): Promise<void> {
  if (uses.size === 0) return
  const ids = [...uses.keys()]
  const times = ids.map((id) => new Date(uses.get(id) as number).toISOString())
  await sql`UPDATE _api_keys AS k SET last_used_at = u.used_at
    FROM (SELECT unnest(${ids}::uuid[]) AS id, unnest(${times}::timestamptz[]) AS used_at) AS u
    WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.used_at)`
}
