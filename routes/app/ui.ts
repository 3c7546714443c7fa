import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../lib/apps/context.js'
import { listUiConfigs, uiConfigFor } from '../../lib/ui-configs/store.js'
import { DEFAULT_SCOPE } from '../../lib/ui-configs/validate.js'
import { parsePagedQuery } from './pagination.js'

type EntityParams = { Params: { entity: string } }

/**
 * `/api/:app/_ui`: UI configs for client applications, readable by every authenticated user
 * of the app (they describe screens, not data). `configs` lists them all (`?entity ?scope`);
 * `config/:entity` is the one for a scope (`?scope`, default `default`), 404 when there is none.
 */
export default async function uiRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  fastify.get('/configs', async (request) => {
    const { filters } = parsePagedQuery(request.query, ['entity', 'scope'])
    const { rows } = await listUiConfigs(appOf(request).sql, filters)
    return { data: rows }
  })

  fastify.get<EntityParams>('/config/:entity', async (request) => {
    const { filters } = parsePagedQuery(request.query, ['scope'])
    return { data: await uiConfigFor(appOf(request).sql, request.params.entity, filters.scope ?? DEFAULT_SCOPE) }
  })
}
