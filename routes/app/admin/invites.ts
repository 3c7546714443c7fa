import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { createInvite, createInvites, getInvite, listInvites, revokeInvite, type InviteRecord, type InviteStatus, type SkipReason } from '../../../lib/auth/invites.js'
import { INVITE_ROUTES } from '../../../lib/auth/admin-schemas.js'
import { normalizeEmail } from '../../../lib/auth/users.js'
import { invalidPayload, validationFailed, type ErrorDetail } from '../../../lib/errors.js'
import { validateRoles } from '../../../lib/permissions/validate.js'

type IdParams = { Params: { id: string } }

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

/**
 * Invites (docs/ARCHITECTURE.md, Permissions, users, invites): create (one-time token shown only
 * in the creating answer, stored as a SHA-256 hash, valid 72 h), bulk create (with a summary),
 * list (revoked ones only with `?status=revoked`), get, revoke (DELETE; a revoked invite is
 * gone for DELETE: 404). 409 when a user or a pending invite already exists for the email.
 * Every created invite is mailed (the `invite` template, link `<app_url>/accept-invite?token=…`)
 * after the answer: a mail failure is logged, never the request's (lib/mail/outbox.ts).
 */
export default async function inviteAdminRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext
  const mailInvites = (app: AppContext, invites: readonly InviteRecord[]): void => {
    const mails = invites.map((i) => ({ to: i.email, token: i.token ?? '' })).filter((m) => m.token !== '')
    if (mails.length > 0) fastify.mail.later(app, 'invite', async () => { await fastify.mail.sendLinks(app, 'invite', mails) })
  }

  fastify.get<{ Querystring: { status?: string } }>('/', { schema: INVITE_ROUTES.list }, async (request) => {
    const status = request.query.status
    if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
      throw invalidPayload(`status must be one of ${STATUSES.join(', ')}`, [{ field: 'status', message: `one of ${STATUSES.join(', ')}` }])
    }
    return { data: await listInvites(appOf(request).sql, { status: status as InviteStatus | undefined }) }
  })

  fastify.get<IdParams>('/:id', { schema: INVITE_ROUTES.get }, async (request) => ({ data: await getInvite(appOf(request).sql, request.params.id) }))

  fastify.post('/', { schema: INVITE_ROUTES.create }, async (request, reply) => {
    const app = appOf(request)
    const invite = await createInvite(app.sql, { ...parseInvite(request.body), invitedBy: request.user.id })
    mailInvites(app, [invite])
    return await reply.code(201).send({ data: invite })
  })

  // A batch report rather than one created resource: 200 with what was created and what was skipped.
  fastify.post('/bulk', { schema: INVITE_ROUTES.bulk }, async (request) => {
    const plan = parseBulk(request.body)
    const app = appOf(request)
    const result = await createInvites(app.sql, plan.items, request.user.id)
    mailInvites(app, result.created)
    const skipped = [...plan.skipped, ...result.skipped]
    const summary = { total: result.created.length + skipped.length, created: result.created.length, skipped: skipped.length }
    return { data: { created: result.created, skipped, summary } }
  })

  fastify.delete<IdParams>('/:id', { schema: INVITE_ROUTES.revoke }, async (request) => {
    const invite = await revokeInvite(appOf(request).sql, request.params.id)
    return { data: { id: invite.id } }
  })
}
