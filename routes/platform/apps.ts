import type { FastifyInstance } from 'fastify'
import type { AppRow } from '../../lib/apps/manager.js'
import { APP_ROUTES } from '../../lib/apps/schemas.js'
import { notFound } from '../../lib/errors.js'

function present (row: AppRow): Record<string, unknown> {
  return { name: row.name, display_name: row.display_name, db_name: row.db_name, status: row.status, server: row.server, created_at: row.created_at, updated_at: row.updated_at }
}

/** App lifecycle for platform admins: list, create (new database), get, delete (drops it). */
export default async function platformAppRoutes (fastify: FastifyInstance): Promise<void> {
  const { apps } = fastify.platform
  fastify.addHook('onRequest', fastify.authenticatePlatform)

  fastify.get('/', { schema: APP_ROUTES.list }, async () => ({ data: (await apps.list()).map(present) }))

  fastify.post<{ Body: { name: string, display_name?: string, server?: string } }>('/', { schema: APP_ROUTES.create }, async (request, reply) => {
    const row = await apps.create(request.body)
    return await reply.code(201).send({ data: present(row) })
  })

  fastify.get<{ Params: { name: string } }>('/:name', { schema: APP_ROUTES.get }, async (request) => {
    const row = await apps.row(request.params.name)
    if (row === null) throw notFound(`App '${request.params.name}' not found`)
    return { data: present(row) }
  })

  fastify.delete<{ Params: { name: string } }>('/:name', { schema: APP_ROUTES.remove }, async (request) => {
    if (!await apps.remove(request.params.name)) throw notFound(`App '${request.params.name}' not found`)
    return { data: { name: request.params.name } }
  })
}
