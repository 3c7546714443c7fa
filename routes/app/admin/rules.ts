import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { announceMetadataChange } from '../../../lib/platform/boot.js'
import { createRule, deleteRule, getRule, listRules, updateRule } from '../../../lib/rules/admin.js'

type IdParams = { Params: { id: string } }

/** Validation rules and computed fields (`/_admin/rules`); every change recompiles the app's registry. */
export default async function ruleAdminRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext
  const announce = async (app: AppContext): Promise<void> => { await announceMetadataChange(fastify.platform, app.name) }

  fastify.get<{ Querystring: { entity?: string } }>('/', async (request) => {
    const entity = typeof request.query.entity === 'string' ? request.query.entity : undefined
    return { data: await listRules(appOf(request), entity) }
  })

  fastify.get<IdParams>('/:id', async (request) => ({ data: await getRule(appOf(request), request.params.id) }))

  fastify.post('/', async (request, reply) => {
    const app = appOf(request)
    const row = await createRule(app, request.body)
    await announce(app)
    return await reply.code(201).send({ data: row })
  })

  fastify.put<IdParams>('/:id', async (request) => {
    const app = appOf(request)
    const row = await updateRule(app, request.params.id, request.body)
    await announce(app)
    return { data: row }
  })

  fastify.delete<IdParams>('/:id', async (request) => {
    const app = appOf(request)
    await deleteRule(app, request.params.id)
    await announce(app)
    return { data: { id: request.params.id } }
  })
}
