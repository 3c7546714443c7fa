import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { invalidPayload, notFound } from '../../../lib/errors.js'
import { TRACE_ID_RE } from '../../../lib/events/ids.js'
import { eventStats, listEvents, traceEvents, type EventFilter } from '../../../lib/events/query.js'
import { buildWaterfall } from '../../../lib/events/waterfall.js'
import { UUID_RE } from '../../../lib/fields/spec.js'
import { parsePagedQuery } from '../pagination.js'

const FILTERS = ['event_type', 'source', 'component', 'entity', 'record_id', 'trace_id', 'user_id', 'from', 'to'] as const
const SOURCES = new Set(['system', 'business'])
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

/** Reads and checks the list filters (a malformed value is a 400 naming the parameter). */
function eventFilter (filters: Partial<Record<typeof FILTERS[number], string>>): EventFilter {
  const { source, user_id: userId, trace_id: traceId } = filters
  if (source !== undefined && !SOURCES.has(source)) throw invalidPayload(`Unknown source '${source.slice(0, 50)}'`, [{ field: 'source', message: 'must be system or business' }])
  if (userId !== undefined && !UUID_RE.test(userId)) throw invalidPayload('user_id must be a UUID', [{ field: 'user_id', message: 'must be a UUID' }])
  if (traceId !== undefined && !TRACE_ID_RE.test(traceId)) throw invalidPayload('Malformed trace_id', [{ field: 'trace_id', message: 'must be 1-64 characters of A-Z a-z 0-9 _ -' }])
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
  fastify.get('/', async (request) => {
    const q = parsePagedQuery(request.query, FILTERS)
    const { rows, total } = await listEvents((request.appCtx as AppContext).sql, eventFilter(q.filters), q)
    return { data: rows, meta: { page: q.page, per_page: q.perPage, total } }
  })

  fastify.get<{ Params: { trace_id: string } }>('/trace/:trace_id', async (request) => {
    const traceId = request.params.trace_id
    if (!TRACE_ID_RE.test(traceId)) throw invalidPayload('Malformed trace id', [{ field: 'trace_id', message: 'must be 1-64 characters of A-Z a-z 0-9 _ -' }])
    const waterfall = buildWaterfall(await traceEvents((request.appCtx as AppContext).sql, traceId))
    if (waterfall === null) throw notFound(`No events for trace '${traceId}'`)
    return { data: waterfall }
  })

  fastify.get('/stats', async (request) => {
    const { filters } = parsePagedQuery(request.query, ['from', 'to'] as const)
    const to = timeParam('to', filters.to) ?? new Date()
    const from = timeParam('from', filters.from) ?? new Date(to.getTime() - STATS_WINDOW_MS)
    checkRange(from, to)
    const stats = await eventStats((request.appCtx as AppContext).sql, { from, to })
    return { data: { ...stats, sampling_rate: fastify.events.instrumenter.settings.samplingRate } }
  })
}
