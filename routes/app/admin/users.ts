import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { USER_PAGES, USER_ROUTES } from '../../../lib/auth/admin-schemas.js'
import { createUser, deleteUser, updateUser, type UserServiceContext } from '../../../lib/auth/user-service.js'
import { getUser, listUsers } from '../../../lib/auth/users.js'
import { pageOf } from '../../../lib/schema/pagination.js'

type IdParams = { Params: { id: string } }

/**
 * App user management (docs/reference.md, "Users, auth, invites"). Passwords are write-only
 * (bcrypt-hashed, never returned). The changes are `lib/auth/user-service.ts`'s: deactivating or
 * deleting a user revokes their refresh tokens and refuses their access tokens from the next
 * request on, here and in every other process.
 */
export default async function userAdminRoutes (fastify: FastifyInstance): Promise<void> {
  const { platform } = fastify
  const ctxOf = (request: FastifyRequest): UserServiceContext =>
    ({ app: request.appCtx as AppContext, platform, accessTokenTtl: platform.config.accessTokenTtl, mail: fastify.mail })

  fastify.get<{ Querystring: { page?: number, per_page?: number } }>('/', { schema: USER_ROUTES.list }, async (request) => {
    const page = pageOf(request.query, USER_PAGES)
    const { rows, total } = await listUsers(ctxOf(request).app.sql, page)
    return { data: rows, meta: { page: page.page, per_page: page.perPage, total } }
  })

  fastify.get<IdParams>('/:id', { schema: USER_ROUTES.get }, async (request) => ({ data: await getUser(ctxOf(request).app.sql, request.params.id) }))

  fastify.post('/', { schema: USER_ROUTES.create }, async (request, reply) => {
    const user = await createUser(ctxOf(request), request.body)
    return await reply.code(201).send({ data: user })
  })

  fastify.put<IdParams>('/:id', { schema: USER_ROUTES.update }, async (request) => ({ data: await updateUser(ctxOf(request), request.params.id, request.body) }))

  fastify.delete<IdParams>('/:id', { schema: USER_ROUTES.remove }, async (request) => {
    const user = await deleteUser(ctxOf(request), request.params.id)
    return { data: { id: user.id } }
  })
}
