import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { pageOf } from '../../../lib/schema/pagination.js'
import { UI_CONFIG_ROUTES } from '../../../lib/ui-configs/schemas.js'
import { deleteUiConfig, getUiConfig, insertUiConfig, listUiConfigs, updateUiConfig } from '../../../lib/ui-configs/store.js'
import { parseUiConfig } from '../../../lib/ui-configs/validate.js'

type IdParams = { Params: { id: string } }
interface ListQuery { page?: number, per_page?: number, entity?: string, scope?: string }

/** `/_admin/ui-configs[/:id]`: CRUD of the JSON documents client UIs read through `/_ui`. */
export default async function uiConfigAdminRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  fastify.get<{ Querystring: ListQuery }>('/', { schema: UI_CONFIG_ROUTES.list }, async (request) => {
    const q = pageOf(request.query)
    const { entity, scope } = request.query
    const { rows, total } = await listUiConfigs(appOf(request).sql, { entity, scope }, q)
    return { data: rows, meta: { page: q.page, per_page: q.perPage, total } }
  })

  fastify.get<IdParams>('/:id', { schema: UI_CONFIG_ROUTES.get }, async (request) => ({ data: await getUiConfig(appOf(request).sql, request.params.id) }))

  fastify.post('/', { schema: UI_CONFIG_ROUTES.create }, async (request, reply) => {
    const app = appOf(request)
    const row = await insertUiConfig(app.sql, parseUiConfig(request.body, app.registry))
    return await reply.code(201).send({ data: row })
  })

  fastify.put<IdParams>('/:id', { schema: UI_CONFIG_ROUTES.update }, async (request) => {
    const app = appOf(request)
    const current = await getUiConfig(app.sql, request.params.id)
    return { data: await updateUiConfig(app.sql, current.id, parseUiConfig(request.body, app.registry, current)) }
  })

  fastify.delete<IdParams>('/:id', { schema: UI_CONFIG_ROUTES.remove }, async (request) => {
    await deleteUiConfig(appOf(request).sql, request.params.id)
    return { data: { id: request.params.id } }
  })
}
