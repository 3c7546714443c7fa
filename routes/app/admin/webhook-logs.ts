import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { getLog, listLogs, parseLogQuery, retryLog } from '../../../lib/webhooks/logs.js'

type IdParams = { Params: { id: string } }

/** Webhook delivery logs (`/_admin/webhook-logs`): read, filter, and re-queue by hand. */
export default async function webhookLogRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  fastify.get('/', async (request) => await listLogs(appOf(request), parseLogQuery(request.query as Record<string, unknown>)))

  fastify.get<IdParams>('/:id', async (request) => ({ data: await getLog(appOf(request), request.params.id) }))

  fastify.post<IdParams>('/:id/retry', async (request) => ({ data: await retryLog(appOf(request), request.params.id) }))
}
