import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { getLog, listLogs, logQueryOf, retryLog } from '../../../lib/webhooks/logs.js'
import { WEBHOOK_LOG_ROUTES } from '../../../lib/webhooks/schemas.js'
import type { LogStatus } from '../../../lib/webhooks/types.js'

type IdParams = { Params: { id: string } }

/** Webhook delivery logs (`/_admin/webhook-logs`): read, filter, and re-queue by hand. */
export default async function webhookLogRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  type ListQuery = { webhook_id?: string, status?: LogStatus, entity?: string, page?: number, per_page?: number }
  fastify.get<{ Querystring: ListQuery }>('/', { schema: WEBHOOK_LOG_ROUTES.list }, async (request) =>
    await listLogs(appOf(request), logQueryOf(request.query)))

  fastify.get<IdParams>('/:id', { schema: WEBHOOK_LOG_ROUTES.get }, async (request) => ({ data: await getLog(appOf(request), request.params.id) }))

  fastify.post<IdParams>('/:id/retry', { schema: WEBHOOK_LOG_ROUTES.retry }, async (request) => ({ data: await retryLog(appOf(request), request.params.id) }))
}
