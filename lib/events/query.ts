import type { PendingQuery, Row } from 'postgres'
import type { Sql } from '../db/connection.js'
import type { StoredEvent } from './types.js'

/** Filters of the admin event list; every one optional, all values bound. */
export interface EventFilter {
  event_type?: string | undefined
  source?: string | undefined
  component?: string | undefined
  entity?: string | undefined
  record_id?: string | undefined
  trace_id?: string | undefined
  user_id?: string | undefined
  /** Inclusive lower bound of `created_at`. */
  from?: Date | undefined
  /** Exclusive upper bound of `created_at`. */
  to?: Date | undefined
}

const COLUMNS = 'id, trace_id, span_id, parent_span_id, event_type, source, component, action, entity, record_id, user_id, duration_ms, status, metadata, created_at'

/** Spans of one trace read for the waterfall at most (a runaway trace stays bounded). */
export const MAX_TRACE_SPANS = 5000

type Fragment = PendingQuery<Row[]>

function whereOf (sql: Sql, f: EventFilter): Fragment {
  const eq = (column: string, value: string | undefined): Fragment => value === undefined ? sql`` : sql`AND ${sql(column)} = ${value}`
  return sql`
    WHERE true
    ${eq('event_type', f.event_type)} ${eq('source', f.source)} ${eq('component', f.component)} ${eq('entity', f.entity)}
    ${eq('record_id', f.record_id)} ${eq('trace_id', f.trace_id)} ${eq('user_id', f.user_id)}
    ${f.from !== undefined ? sql`AND created_at >= ${f.from}` : sql``}
    ${f.to !== undefined ? sql`AND created_at < ${f.to}` : sql``}`
}

/** One page of events, newest first, with the total for the same filters. */
export async function listEvents (sql: Sql, filter: EventFilter, page: { page: number, perPage: number }): Promise<{ rows: StoredEvent[], total: number }> {
  const where = whereOf(sql, filter)
  const [rows, count] = await Promise.all([
    sql<StoredEvent[]>`
      SELECT ${sql.unsafe(COLUMNS)} FROM _events ${where}
      ORDER BY created_at DESC, id DESC LIMIT ${page.perPage} OFFSET ${(page.page - 1) * page.perPage}`,
    sql<Array<{ total: string }>>`SELECT count(*) AS total FROM _events ${where}`
  ])
  return { rows, total: Number(count[0]?.total ?? 0) }
}

/** The events of one trace in start order (uses the `trace_id` index). */
export async function traceEvents (sql: Sql, traceId: string): Promise<StoredEvent[]> {
  return await sql<StoredEvent[]>`
    SELECT ${sql.unsafe(COLUMNS)} FROM _events WHERE trace_id = ${traceId}
    ORDER BY created_at, id LIMIT ${MAX_TRACE_SPANS}`
}

/** Aggregates over a time window: counts per type and source, durations per component. */
export interface EventStats {
  from: Date
  to: Date
  total: number
  by_type: Array<{ event_type: string, source: string, count: number }>
  by_component: Array<{ component: string, count: number, errors: number, p50_ms: number | null, p95_ms: number | null, max_ms: number | null }>
}

/**
 * Counts per `event_type`/`source` and, per component, the count, errors and p50/p95/max
 * duration (`percentile_cont` over the spans that have one) of the events in `[from, to)`.
 */
export async function eventStats (sql: Sql, range: { from: Date, to: Date }): Promise<EventStats> {
  const { from, to } = range
  const [byType, byComponent] = await Promise.all([
    sql<Array<EventStats['by_type'][number] & { total: number }>>`
      SELECT event_type, source, count(*)::int AS count, (sum(count(*)) OVER ())::float8 AS total FROM _events
      WHERE created_at >= ${from} AND created_at < ${to}
      GROUP BY event_type, source ORDER BY count DESC, event_type, source LIMIT 1000`,
    sql<EventStats['by_component']>`
      SELECT component, count(*)::int AS count, (count(*) FILTER (WHERE status = 'error'))::int AS errors,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50_ms,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_ms,
        max(duration_ms) AS max_ms
      FROM _events
      WHERE created_at >= ${from} AND created_at < ${to} AND component IS NOT NULL
      GROUP BY component ORDER BY component`
  ])
  // The total comes with every group (a window over all groups, before the LIMIT).
  const total = byType[0]?.total ?? 0
  return { from, to, total, by_type: byType.map((row) => ({ event_type: row.event_type, source: row.source, count: row.count })), by_component: byComponent.map((c) => ({ ...c, ...rounded(c) })) }
}

function rounded (c: EventStats['by_component'][number]): Pick<EventStats['by_component'][number], 'p50_ms' | 'p95_ms' | 'max_ms'> {
  const r = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000)
  return { p50_ms: r(c.p50_ms), p95_ms: r(c.p95_ms), max_ms: r(c.max_ms) }
}
