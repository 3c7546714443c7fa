import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { notFound } from '../../../lib/errors.js'
import { createEntity, deleteEntity, updateEntity } from '../../../lib/metadata/admin.js'
import { announceMetadataChange } from '../../../lib/platform/boot.js'

type NameParams = { Params: { name: string } }

/** Entity metadata CRUD; every change migrates the table in the same transaction. */
export default async function entityAdminRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext
  const announce = async (app: AppContext): Promise<void> => { await announceMetadataChange(fastify.platform, app.name) }

  fastify.get('/', async (request) => ({ data: appOf(request).registry.entityDefs }))

  fastify.get<NameParams>('/:name', async (request) => {
    const def = appOf(request).registry.entityDefs.find((e) => e.name === request.params.name)
    if (def === undefined) throw notFound(`Entity '${request.params.name}' not found`)
    return { data: def }
  })

  fastify.post('/', async (request, reply) => {
    const app = appOf(request)
    const def = await createEntity(app, request.body)
    await announce(app)
    return await reply.code(201).send({ data: def })
  })

  fastify.put<NameParams>('/:name', async (request) => {
    const app = appOf(request)
    const def = await updateEntity(app, request.params.name, request.body)
    await announce(app)
    return { data: def }
  })

  fastify.delete<NameParams & { Querystring: { drop?: string } }>('/:name', async (request) => {
    const app = appOf(request)
    await deleteEntity(app, request.params.name, { drop: request.query.drop === 'true' })
    await announce(app)
    return { data: { name: request.params.name } }
  })
}
