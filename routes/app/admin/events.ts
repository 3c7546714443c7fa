import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { invalidPayload, notFound } from '../../../lib/errors.js'
import { eventStats, listEvents, traceEvents, type EventFilter } from '../../../lib/events/query.js'
import { EVENT_ROUTES } from '../../../lib/events/schemas.js'
import { buildWaterfall } from '../../../lib/events/waterfall.js'
import { pageOf } from '../../../lib/schema/pagination.js'

type Filters = Partial<Record<'event_type' | 'source' | 'component' | 'entity' | 'record_id' | 'trace_id' | 'user_id' | 'from' | 'to', string>>
/** Default window of the stats: the last 24 hours. */
const STATS_WINDOW_MS = 24 * 3600 * 1000

function timeParam (name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined
  const t = Date.parse(value)
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t)) {
    throw invalidPayload(`Query parameter '${name}' must be an ISO 8601 date-time`, [{ field: name, message: 'must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z' }])
  }
  return new Date(t)
}

function checkRange (from: Date | undefined, to: Date | undefined): void {
  if (from !== undefined && to !== undefined && from > to) throw invalidPayload("'from' must not be after 'to'", [{ field: 'from', message: "must not be after 'to'" }])
}

/** The list filters (their shape checked by the route schema), with the time range read and checked. */
function eventFilter (filters: Filters): EventFilter {
  const from = timeParam('from', filters.from)
  const to = timeParam('to', filters.to)
  checkRange(from, to)
  return { ...filters, from, to }
}

/**
 * `/_admin/events` (admin only, by the parent scope): `GET /` events newest first with filters
 * and pagination; `GET /trace/:trace_id` a trace as a waterfall (404 when it has no events);
 * `GET /stats` counts per type and source and duration percentiles per component over
 * `?from ?to` (default: the last 24 hours).
 */
export default async function eventAdminRoutes (fastify: FastifyInstance): Promise<void> {
  fastify.get<{ Querystring: Filters & { page?: number, per_page?: number } }>('/', { schema: EVENT_ROUTES.list }, async (request) => {
    const { page: _p, per_page: _pp, ...filters } = request.query
    const q = pageOf(request.query)
    const { rows, total } = await listEvents((request.appCtx as AppContext).sql, eventFilter(filters), q)
    return { data: rows, meta: { page: q.page, per_page: q.perPage, total } }
  })

  fastify.get<{ Params: { trace_id: string } }>('/trace/:trace_id', { schema: EVENT_ROUTES.trace }, async (request) => {
    const traceId = request.params.trace_id
    const waterfall = buildWaterfall(await traceEvents((request.appCtx as AppContext).sql, traceId))
    if (waterfall === null) throw notFound(`No events for trace '${traceId}'`)
    return { data: waterfall }
  })

  fastify.get<{ Querystring: Filters }>('/stats', { schema: EVENT_ROUTES.stats }, async (request) => {
    const filters = request.query
    const to = timeParam('to', filters.to) ?? new Date()
    const from = timeParam('from', filters.from) ?? new Date(to.getTime() - STATS_WINDOW_MS)
    checkRange(from, to)
    const stats = await eventStats((request.appCtx as AppContext).sql, { from, to })
    return { data: { ...stats, sampling_rate: fastify.events.instrumenter.settings.samplingRate } }
  })
}
