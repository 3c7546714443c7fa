import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { INVITE_ROUTES } from '../../../lib/auth/admin-schemas.js'
import { getInviteRecord, inviteUser, inviteUsers, listInviteRecords, revokeInviteRecord } from '../../../lib/auth/invite-service.js'
import type { UserServiceContext } from '../../../lib/auth/user-service.js'

type IdParams = { Params: { id: string } }

/**
 * Invites (docs/ARCHITECTURE.md, Permissions, users, invites): create (one-time token shown only
 * in the creating answer, stored as a SHA-256 hash, valid 72 h), bulk create (with a summary),
 * list (revoked ones only with `?status=revoked`), get, revoke (DELETE; a revoked invite is
 * gone for DELETE: 404). 409 when a user or a pending invite already exists for the email.
 * Every created invite is mailed (the `invite` template, link `<app_url>/accept-invite?token=…`)
 * after the answer: a mail failure is logged, never the request's (lib/mail/outbox.ts).
 * The work is `lib/auth/invite-service.ts`'s.
 */
export default async function inviteAdminRoutes (fastify: FastifyInstance): Promise<void> {
  const { platform } = fastify
  const ctxOf = (request: FastifyRequest): UserServiceContext =>
    ({ app: request.appCtx as AppContext, platform, accessTokenTtl: platform.config.accessTokenTtl, mail: fastify.mail })

  fastify.get<{ Querystring: { status?: string } }>('/', { schema: INVITE_ROUTES.list }, async (request) =>
    ({ data: await listInviteRecords(ctxOf(request), request.query.status) }))

  fastify.get<IdParams>('/:id', { schema: INVITE_ROUTES.get }, async (request) => ({ data: await getInviteRecord(ctxOf(request), request.params.id) }))

  fastify.post('/', { schema: INVITE_ROUTES.create }, async (request, reply) => {
    const invite = await inviteUser(ctxOf(request), request.body, request.user.id)
    return await reply.code(201).send({ data: invite })
  })

  // A batch report rather than one created resource: 200 with what was created and what was skipped.
  fastify.post('/bulk', { schema: INVITE_ROUTES.bulk }, async (request) => ({ data: await inviteUsers(ctxOf(request), request.body, request.user.id) }))

  fastify.delete<IdParams>('/:id', { schema: INVITE_ROUTES.revoke }, async (request) => {
    const invite = await revokeInviteRecord(ctxOf(request), request.params.id)
    return { data: { id: invite.id } }
  })
}
