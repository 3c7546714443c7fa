import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { deleteUiConfig, getUiConfig, insertUiConfig, listUiConfigs, updateUiConfig } from '../../../lib/ui-configs/store.js'
import { parseUiConfig } from '../../../lib/ui-configs/validate.js'
import { parsePagedQuery } from '../pagination.js'

type IdParams = { Params: { id: string } }

/** `/_admin/ui-configs[/:id]`: CRUD of the JSON documents client UIs read through `/_ui`. */
export default async function uiConfigAdminRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  fastify.get('/', async (request) => {
    const q = parsePagedQuery(request.query, ['entity', 'scope'])
    const { rows, total } = await listUiConfigs(appOf(request).sql, q.filters, q)
    return { data: rows, meta: { page: q.page, per_page: q.perPage, total } }
  })

  fastify.get<IdParams>('/:id', async (request) => ({ data: await getUiConfig(appOf(request).sql, request.params.id) }))

  fastify.post('/', async (request, reply) => {
    const app = appOf(request)
    const row = await insertUiConfig(app.sql, parseUiConfig(request.body, app.registry))
    return await reply.code(201).send({ data: row })
  })

  fastify.put<IdParams>('/:id', async (request) => {
    const app = appOf(request)
    const current = await getUiConfig(app.sql, request.params.id)
    return { data: await updateUiConfig(app.sql, current.id, parseUiConfig(request.body, app.registry, current)) }
  })

  fastify.delete<IdParams>('/:id', async (request) => {
    await deleteUiConfig(appOf(request).sql, request.params.id)
    return { data: { id: request.params.id } }
  })
}
