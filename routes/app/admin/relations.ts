import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { notFound } from '../../../lib/errors.js'
import { createRelation, deleteRelation, updateRelation } from '../../../lib/metadata/admin.js'
import { announceMetadataChange } from '../../../lib/platform/boot.js'

type NameParams = { Params: { name: string } }

/** Relation metadata CRUD; foreign keys and join tables are migrated with the change. */
export default async function relationAdminRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext
  const announce = async (app: AppContext): Promise<void> => { await announceMetadataChange(fastify.platform, app.name) }

  fastify.get('/', async (request) => ({ data: appOf(request).registry.relationDefs }))

  fastify.get<NameParams>('/:name', async (request) => {
    const def = appOf(request).registry.relationDefs.find((r) => r.name === request.params.name)
    if (def === undefined) throw notFound(`Relation '${request.params.name}' not found`)
    return { data: def }
  })

  fastify.post('/', async (request, reply) => {
    const app = appOf(request)
    const def = await createRelation(app, request.body)
    await announce(app)
    return await reply.code(201).send({ data: def })
  })

  fastify.put<NameParams>('/:name', async (request) => {
    const app = appOf(request)
    const def = await updateRelation(app, request.params.name, request.body)
    await announce(app)
    return { data: def }
  })

  fastify.delete<NameParams>('/:name', async (request) => {
    const app = appOf(request)
    await deleteRelation(app, request.params.name)
    await announce(app)
    return { data: { name: request.params.name } }
  })
}
