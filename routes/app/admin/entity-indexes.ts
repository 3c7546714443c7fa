import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { declaredIndexStatus } from '../../../lib/ddl/declared-indexes.js'
import { notFound } from '../../../lib/errors.js'
import { ENTITY_INDEXES_ROUTE } from '../../../lib/metadata/schemas.js'

/** `GET /_admin/entities/:name/indexes`: the entity's declared indexes with `building|ready|failed` (docs/QUERYING.md). */
export default async function entityIndexRoutes (fastify: FastifyInstance): Promise<void> {
  fastify.get<{ Params: { name: string } }>('/:name/indexes', { schema: ENTITY_INDEXES_ROUTE }, async (request) => {
    const app = request.appCtx as AppContext
    const def = app.registry.entityDefs.find((e) => e.name === request.params.name)
    if (def === undefined) throw notFound(`Entity '${request.params.name}' not found`)
    return { data: await declaredIndexStatus(app, def) }
  })
}
