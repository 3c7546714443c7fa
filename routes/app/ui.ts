import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../lib/apps/context.js'
import { UI_CONFIG_ROUTES } from '../../lib/ui-configs/schemas.js'
import { listUiConfigs, uiConfigFor } from '../../lib/ui-configs/store.js'
import { DEFAULT_SCOPE } from '../../lib/ui-configs/validate.js'

type EntityParams = { Params: { entity: string }, Querystring: { scope?: string } }

/**
 * `/api/:app/_ui`: UI configs for client applications, readable by every authenticated user
 * of the app (they describe screens, not data). `configs` lists them all (`?entity ?scope`);
 * `config/:entity` is the one for a scope (`?scope`, default `default`), 404 when there is none.
 */
export default async function uiRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  fastify.get<{ Querystring: { entity?: string, scope?: string } }>('/configs', { schema: UI_CONFIG_ROUTES.read }, async (request) => {
    const { entity, scope } = request.query
    const { rows } = await listUiConfigs(appOf(request).sql, { entity, scope })
    return { data: rows }
  })

  fastify.get<EntityParams>('/config/:entity', { schema: UI_CONFIG_ROUTES.readOne }, async (request) => {
    return { data: await uiConfigFor(appOf(request).sql, request.params.entity, request.query.scope ?? DEFAULT_SCOPE) }
  })
}
