import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../lib/apps/context.js'
import { businessEventRow, parseBusinessEvent } from '../../lib/events/business.js'
import { BUSINESS_EVENT_ROUTE } from '../../lib/events/schemas.js'
import { limitPerUser } from '../rate-guard.js'

/**
 * `POST /api/:app/_events` (any authenticated user): records a business event
 * `{event_type, entity?, record_id?, metadata?}` in the request's trace, whatever the sampling.
 * It goes through the event buffer, so the answer is 202 with the event's id and trace id
 * before the row is written. Calls are limited per user (`EVENTS_MAX_PER_MINUTE`, docs/security.md).
 */
export default async function eventRoutes (fastify: FastifyInstance): Promise<void> {
  const maxPerMinute = fastify.platform.config.eventsMaxPerMinute
  fastify.post<{ Body: Parameters<typeof parseBusinessEvent>[0] }>('/', { schema: BUSINESS_EVENT_ROUTE }, async (request, reply) => {
    const app = request.appCtx as AppContext
    await limitPerUser(fastify, reply, { what: 'events', app: app.name, user: request.user.id, maxPerMinute })
    const input = parseBusinessEvent(request.body)
    const row = businessEventRow(input, { traceId: request.id, parentSpanId: request.trace?.spanId ?? null, userId: request.user.id })
    fastify.events.instrumenter.record(app, [row])
    return await reply.code(202).send({ data: { id: row.id, trace_id: row.trace_id } })
  })
}
