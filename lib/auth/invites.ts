import { createHash, randomBytes } from 'node:crypto'
import { requireById } from '../db/by-id.js'
import type { Sql, TransactionSql } from '../db/connection.js'
import { conflict, notFound } from '../errors.js'
import { UUID_RE } from '../fields/spec.js'

/** Invites are valid for 72 hours (docs/reference.md, "Users, auth, invites"). */
export const INVITE_TTL_SECONDS = 72 * 3600

export type InviteStatus = 'pending' | 'accepted' | 'revoked' | 'expired'

/** An invite as the admin API returns it (`token` only in the answer that created it). */
export interface InviteRecord {
  id: string
  email: string
  roles: string[]
  status: InviteStatus
  invited_by: string | null
  expires_at: Date
  accepted_at: Date | null
  revoked_at: Date | null
  created_at: Date
  token?: string
}

interface InviteRow {
  id: string
  email: string
  roles: string[]
  invited_by: string | null
  expires_at: Date
  accepted_at: Date | null
  revoked_at: Date | null
  created_at: Date
}

/** Why an email was not invited (bulk invites). */
export type SkipReason = 'invalid email' | 'user exists' | 'invite pending' | 'invalid roles'

/** Tokens are stored as SHA-256 hashes only: a database leak yields no usable invite. */
export function hashInviteToken (token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** Where an invite stands: accepted and revoked are final; a pending one lapses at `expires_at`. */
export function statusOf (row: InviteRow, now = Date.now()): InviteStatus {
  if (row.accepted_at !== null) return 'accepted'
  if (row.revoked_at !== null) return 'revoked'
  return row.expires_at.getTime() <= now ? 'expired' : 'pending'
}

function toRecord (row: InviteRow, token?: string): InviteRecord {
  return { ...row, status: statusOf(row), ...(token !== undefined ? { token } : {}) }
}

/** Why `email` cannot be invited now, or null. Caller holds the email's advisory lock. */
async function blocker (tx: TransactionSql, email: string): Promise<'user exists' | 'invite pending' | null> {
  const [user] = await tx`SELECT 1 AS x FROM _users WHERE lower(email) = ${email} LIMIT 1`
  if (user !== undefined) return 'user exists'
  const [pending] = await tx`SELECT 1 AS x FROM _invites WHERE lower(email) = ${email}
    AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now() LIMIT 1`
  return pending !== undefined ? 'invite pending' : null
}

/**
 * Creates one invite inside `tx`, serialized per email by an advisory lock so two concurrent
 * invites cannot both pass the checks. Returns the record with its one-time token, or the
 * reason it was refused. `email` must be normalized.
 */
async function insertInvite (tx: TransactionSql, input: { email: string, roles: string[], invitedBy: string | null }): Promise<InviteRecord | 'user exists' | 'invite pending'> {
  await tx`SELECT pg_advisory_xact_lock(hashtext(${'invite:' + input.email}))`
  const reason = await blocker(tx, input.email)
  if (reason !== null) return reason
  const token = randomBytes(32).toString('base64url')
  const expires = new Date(Date.now() + INVITE_TTL_SECONDS * 1000)
  // The inviter's user id (app or platform user); informational, so no foreign key.
  const by = input.invitedBy !== null && UUID_RE.test(input.invitedBy) ? input.invitedBy : null
  const [row] = await tx<InviteRow[]>`INSERT INTO _invites (email, roles, token_hash, invited_by, expires_at)
    VALUES (${input.email}, ${input.roles}, ${hashInviteToken(token)}, ${by}, ${expires}) RETURNING id, email, roles, invited_by, expires_at, accepted_at, revoked_at, created_at`
  return toRecord(row as InviteRow, token)
}

/** One invite (409 CONFLICT when a user or a pending invite exists for the email). */
export async function createInvite (sql: Sql, input: { email: string, roles: string[], invitedBy: string | null }): Promise<InviteRecord> {
  const result = await sql.begin(async (tx) => await insertInvite(tx, input))
  if (typeof result === 'string') {
    const message = result === 'user exists' ? `A user with email '${input.email}' already exists` : `A pending invite for '${input.email}' already exists`
    throw conflict(message, [{ field: 'email', rule: 'unique', message: result }])
  }
  return result
}

/**
 * Bulk invites: each item in its own short transaction (one refusal never undoes the others).
 * Items arrive validated; `skipped` already holds the ones refused by validation.
 */
export async function createInvites (sql: Sql, items: Array<{ email: string, roles: string[] }>, invitedBy: string | null): Promise<{ created: InviteRecord[], skipped: Array<{ email: string, reason: SkipReason }> }> {
  const created: InviteRecord[] = []
  const skipped: Array<{ email: string, reason: SkipReason }> = []
  for (const item of items) {
    const result = await sql.begin(async (tx) => await insertInvite(tx, { ...item, invitedBy }))
    if (typeof result === 'string') skipped.push({ email: item.email, reason: result })
    else created.push(result)
  }
  return { created, skipped }
}

/** Invites, newest first, by status; without one every invite except revoked ones (a revoked invite is deleted as far as the list goes). */
export async function listInvites (sql: Sql, filter: { status?: InviteStatus | undefined }): Promise<InviteRecord[]> {
  const rows = await sql<InviteRow[]>`SELECT id, email, roles, invited_by, expires_at, accepted_at, revoked_at, created_at FROM _invites ORDER BY created_at DESC, id`
  const all = rows.map((r) => toRecord(r))
  return filter.status === undefined ? all.filter((r) => r.status !== 'revoked') : all.filter((r) => r.status === filter.status)
}

/** One invite; NOT_FOUND (also for an id that is not a UUID). */
export async function getInvite (sql: Sql, id: string): Promise<InviteRecord> {
  const row = await requireById('Invite', id, async (id) =>
    (await sql<InviteRow[]>`SELECT id, email, roles, invited_by, expires_at, accepted_at, revoked_at, created_at FROM _invites WHERE id = ${id}`)[0])
  return toRecord(row)
}

/**
 * Revokes a pending (or expired) invite. Revoking is the invite's DELETE: an already revoked one
 * is NOT_FOUND (also under a concurrent revoke); an accepted invite is 409.
 */
export async function revokeInvite (sql: Sql, id: string): Promise<InviteRecord> {
  const invite = await getInvite(sql, id)
  if (invite.status === 'accepted') throw conflict('The invite was already accepted; deactivate or delete the user instead')
  const gone = (): never => { throw notFound(`Invite '${invite.id}' not found (already revoked)`) }
  if (invite.status === 'revoked') gone()
  const [row] = await sql<InviteRow[]>`UPDATE _invites SET revoked_at = now() WHERE id = ${invite.id} AND accepted_at IS NULL AND revoked_at IS NULL
    RETURNING id, email, roles, invited_by, expires_at, accepted_at, revoked_at, created_at`
  if (row === undefined) {
    const now = await getInvite(sql, id)
    if (now.status === 'accepted') throw conflict('The invite was already accepted')
    gone()
  }
  return toRecord(row as InviteRow)
}

/** The locked invite a token names, for accepting it (the caller checks its status). */
export async function lockInviteByToken (tx: TransactionSql, token: string): Promise<(InviteRow & { status: InviteStatus }) | null> {
  const [row] = await tx<InviteRow[]>`SELECT id, email, roles, invited_by, expires_at, accepted_at, revoked_at, created_at FROM _invites WHERE token_hash = ${hashInviteToken(token)} FOR UPDATE`
  return row === undefined ? null : { ...row, status: statusOf(row) }
}

/** Marks a locked invite accepted. */
export async function markAccepted (tx: TransactionSql, id: string): Promise<void> {
  await tx`UPDATE _invites SET accepted_at = now() WHERE id = ${id}`
}
