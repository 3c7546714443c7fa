import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { blocklistOf } from '../../../lib/auth/blocklist.js'
import { revokeUserTokens } from '../../../lib/auth/refresh-tokens.js'
import { USER_PAGES, USER_ROUTES } from '../../../lib/auth/admin-schemas.js'
import { announceTokenChange, tokenVersionsOf } from '../../../lib/auth/token-versions.js'
import { createUser, deleteUser, getUser, listUsers, updateUser } from '../../../lib/auth/users.js'
import { announceMetadataChange } from '../../../lib/platform/boot.js'
import { pageOf } from '../../../lib/schema/pagination.js'

type IdParams = { Params: { id: string } }

/**
 * App user management (docs/reference.md, "Users, auth, invites"). Passwords are write-only (bcrypt-hashed, never returned).
 * Deactivating or deleting a user revokes their refresh tokens and puts them on the app's
 * in-memory blocklist, so their access tokens are refused from the next request on.
 */
export default async function userAdminRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext
  const revoke = async (app: AppContext, userId: string): Promise<void> => { await revokeUserTokens(app.sql, { table: '_refresh_tokens', userId }) }

  fastify.get<{ Querystring: { page?: number, per_page?: number } }>('/', { schema: USER_ROUTES.list }, async (request) => {
    const page = pageOf(request.query, USER_PAGES)
    const { rows, total } = await listUsers(appOf(request).db, page)
    return { data: rows, meta: { page: page.page, per_page: page.perPage, total } }
  })

  fastify.get<IdParams>('/:id', { schema: USER_ROUTES.get }, async (request) => ({ data: await getUser(appOf(request).db, request.params.id) }))

  fastify.post('/', { schema: USER_ROUTES.create }, async (request, reply) => {
    const user = await createUser(appOf(request).db, request.body)
    return await reply.code(201).send({ data: user })
  })

  fastify.put<IdParams>('/:id', { schema: USER_ROUTES.update }, async (request) => {
    const app = appOf(request)
    const { user, before, passwordChanged, tokenVersion } = await updateUser(app.db, request.params.id, request.body)
    if (tokenVersion !== null) {
      // Refuses the user's older access tokens here at once, and in other processes on the NOTIFY.
      tokenVersionsOf(app).raise(user.id, tokenVersion)
      await announceTokenChange(fastify.platform, { app: app.name, userId: user.id, version: tokenVersion })
    }
    if (before.active && !user.active) {
      blocklistOf(app).deactivated(user.id)
      await revoke(app, user.id)
    } else if (!before.active && user.active) {
      blocklistOf(app).reactivated(user.id)
    } else if (passwordChanged) {
      // A new password ends the user's other sessions (refresh tokens); access tokens expire on their own.
      await revoke(app, user.id)
    }
    // Other processes refresh their blocklists when the change is announced.
    if (before.active !== user.active) await announceMetadataChange(fastify.platform, app.name)
    return { data: user }
  })

  fastify.delete<IdParams>('/:id', { schema: USER_ROUTES.remove }, async (request) => {
    const app = appOf(request)
    const user = await deleteUser(app.db, request.params.id)
    blocklistOf(app).removed(user.id, fastify.platform.config.accessTokenTtl)
    await announceTokenChange(fastify.platform, { app: app.name, userId: user.id, version: 'deleted' })
    return { data: { id: user.id } }
  })
}
