import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { createPermission, deletePermission, getPermission, listPermissions, updatePermission } from '../../../lib/permissions/store.js'
import { announceMetadataChange } from '../../../lib/platform/boot.js'

type IdParams = { Params: { id: string } }

/**
 * Permission policy CRUD (SPEC §8). Policies are validated against the current metadata on
 * save; every change recompiles the app's registry here and is announced to other processes.
 */
export default async function permissionAdminRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext
  const changed = async (app: AppContext): Promise<void> => {
    await app.reload()
    await announceMetadataChange(fastify.platform, app.name)
  }

  fastify.get<{ Querystring: { entity?: string } }>('/', async (request) => {
    const entity = typeof request.query.entity === 'string' ? request.query.entity : undefined
    return { data: await listPermissions(appOf(request).db, { entity }) }
  })

  fastify.get<IdParams>('/:id', async (request) => ({ data: await getPermission(appOf(request).db, request.params.id) }))

  fastify.post('/', async (request, reply) => {
    const app = appOf(request)
    const row = await createPermission(app, request.body)
    await changed(app)
    return await reply.code(201).send({ data: row })
  })

  fastify.put<IdParams>('/:id', async (request) => {
    const app = appOf(request)
    const row = await updatePermission(app, request.params.id, request.body)
    await changed(app)
    return { data: row }
  })

  fastify.delete<IdParams>('/:id', async (request) => {
    const app = appOf(request)
    await deletePermission(app.db, request.params.id)
    await changed(app)
    return { data: { id: request.params.id } }
  })
}
