import { invalidPayload, validationFailed, type ErrorDetail } from '../errors.js'
import { validateRoles } from '../permissions/validate.js'
import { createInvite, createInvites, getInvite, listInvites, revokeInvite, type InviteRecord, type InviteStatus, type SkipReason } from './invites.js'
import type { UserServiceContext } from './user-service.js'
import { normalizeEmail } from './users.js'

const MAX_BULK = 1000
const STATUSES: readonly InviteStatus[] = ['pending', 'accepted', 'revoked', 'expired']

function objectBody (body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidPayload('The request body must be a JSON object')
  return body as Record<string, unknown>
}

/** `{email, roles}` of a single invite; 422 with details when invalid. */
function parseInvite (body: unknown): { email: string, roles: string[] } {
  const b = objectBody(body)
  const out: ErrorDetail[] = []
  const email = normalizeEmail(b.email)
  if (email === null) out.push({ field: 'email', rule: 'format', message: 'email must be a valid email address' })
  const roles = b.roles === undefined ? [] : validateRoles(b.roles, { field: 'roles', out, allowEmpty: true })
  if (out.length > 0) throw validationFailed(`Invalid invite: ${out[0]?.message ?? ''}`, out)
  return { email: email as string, roles }
}

interface BulkPlan {
  items: Array<{ email: string, roles: string[] }>
  skipped: Array<{ email: string, reason: SkipReason }>
}

/**
 * `{emails: [...], roles}` or `[{email, roles}, ...]`: emails trimmed and lower-cased, then the
 * list de-duplicated (first occurrence kept) before anything is checked or created, so a
 * repeated address is neither created twice nor reported.
 */
function parseBulk (body: unknown): BulkPlan {
  let entries: Array<{ email: unknown, roles: unknown }>
  if (Array.isArray(body)) {
    entries = body.map((e) => (typeof e === 'object' && e !== null ? e as { email: unknown, roles: unknown } : { email: e, roles: undefined }))
  } else {
    const b = objectBody(body)
    if (!Array.isArray(b.emails)) throw validationFailed('emails must be an array', [{ field: 'emails', rule: 'type', message: 'emails must be an array of email addresses' }])
    const out: ErrorDetail[] = []
    const roles = b.roles === undefined ? [] : validateRoles(b.roles, { field: 'roles', out, allowEmpty: true })
    if (out.length > 0) throw validationFailed(`Invalid invites: ${out[0]?.message ?? ''}`, out)
    entries = b.emails.map((email: unknown) => ({ email, roles }))
  }
  if (entries.length > MAX_BULK) throw validationFailed(`At most ${MAX_BULK} invites per request`, [{ field: 'emails', rule: 'max_items', message: `at most ${MAX_BULK} invites` }])
  const plan: BulkPlan = { items: [], skipped: [] }
  const seen = new Set<string>()
  for (const entry of entries) {
    const email = normalizeEmail(entry.email)
    const shown = typeof entry.email === 'string' ? entry.email.trim().toLowerCase().slice(0, 254) : String(entry.email).slice(0, 254)
    if (seen.has(email ?? shown)) continue
    seen.add(email ?? shown)
    if (email === null) { plan.skipped.push({ email: shown, reason: 'invalid email' }); continue }
    const problems: ErrorDetail[] = []
    const roles = entry.roles === undefined ? [] : validateRoles(entry.roles, { field: 'roles', out: problems, allowEmpty: true })
    if (problems.length > 0) { plan.skipped.push({ email, reason: 'invalid roles' }); continue }
    plan.items.push({ email, roles })
  }
  return plan
}

/** Mails each created invite its link after the answer (a mail failure is logged, never the request's). */
function mailInvites (ctx: UserServiceContext, invites: readonly InviteRecord[]): void {
  const mails = invites.map((i) => ({ to: i.email, token: i.token ?? '' })).filter((m) => m.token !== '')
  if (mails.length > 0) ctx.mail.later(ctx.app, 'invite', async () => { await ctx.mail.sendLinks(ctx.app, 'invite', mails) })
}

/** Invites by status (`?status=`; 400 for another value); without one every invite except revoked ones. */
export async function listInviteRecords (ctx: UserServiceContext, status: string | undefined): Promise<InviteRecord[]> {
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
    throw invalidPayload(`status must be one of ${STATUSES.join(', ')}`, [{ field: 'status', message: `one of ${STATUSES.join(', ')}` }])
  }
  return await listInvites(ctx.app.sql, { status: status as InviteStatus | undefined })
}

/** One invite; NOT_FOUND (also for an id that is not a UUID). */
export async function getInviteRecord (ctx: UserServiceContext, id: string): Promise<InviteRecord> {
  return await getInvite(ctx.app.sql, id)
}

/** `{email, roles}`: one invite (409 when a user or a pending invite has the email), mailed after the answer. */
export async function inviteUser (ctx: UserServiceContext, body: unknown, invitedBy: string | null): Promise<InviteRecord> {
  const invite = await createInvite(ctx.app.sql, { ...parseInvite(body), invitedBy })
  mailInvites(ctx, [invite])
  return invite
}

/** A bulk invite's report: what was created, what was skipped and why, and the counts. */
export interface BulkInviteReport {
  created: InviteRecord[]
  skipped: Array<{ email: string, reason: SkipReason }>
  summary: { total: number, created: number, skipped: number }
}

/** `{emails, roles}` or `[{email, roles}, ...]`: each address invited on its own (one refusal never undoes the others). */
export async function inviteUsers (ctx: UserServiceContext, body: unknown, invitedBy: string | null): Promise<BulkInviteReport> {
  const plan = parseBulk(body)
  const result = await createInvites(ctx.app.sql, plan.items, invitedBy)
  mailInvites(ctx, result.created)
  const skipped = [...plan.skipped, ...result.skipped]
  return { created: result.created, skipped, summary: { total: result.created.length + skipped.length, created: result.created.length, skipped: skipped.length } }
}

/** Revokes a pending invite (its DELETE): 404 when already revoked, 409 when accepted. */
export async function revokeInviteRecord (ctx: UserServiceContext, id: string): Promise<InviteRecord> {
  return await revokeInvite(ctx.app.sql, id)
}
