import type { FastifyInstance } from 'fastify'
import entityAdminRoutes from './entities.js'
import relationAdminRoutes from './relations.js'

/** `/api/:app/_admin/*`: authenticated (by the parent scope) and admin-only. */
export default async function adminRoutes (fastify: FastifyInstance): Promise<void> {
  fastify.addHook('onRequest', fastify.requireAdmin)
  await fastify.register(entityAdminRoutes, { prefix: '/entities' })
  await fastify.register(relationAdminRoutes, { prefix: '/relations' })
}
