import type { AppContext } from '../apps/context.js'
import { requireById } from '../db/by-id.js'
import { pageOf } from '../schema/pagination.js'
import { webhooksOf } from './compile.js'
import type { LogRow, LogStatus } from './types.js'

/** Filters and page of `GET /_admin/webhook-logs`. */
export interface LogQuery {
  webhookId?: string
  status?: LogStatus
  entity?: string
  page: number
  perPage: number
}

/** The query as `LOG_LIST_QUERY` (schemas.ts) validated it, as the store reads it. */
export function logQueryOf (query: { webhook_id?: string, status?: LogStatus, entity?: string, page?: number, per_page?: number }): LogQuery {
  const { page, perPage } = pageOf(query)
  return {
    ...(query.webhook_id !== undefined ? { webhookId: query.webhook_id } : {}),
    ...(query.status !== undefined ? { status: query.status } : {}),
    ...(query.entity !== undefined ? { entity: query.entity } : {}),
    page,
    perPage
  }
}

/** One page of delivery logs, newest first, with the total matching the filters. */
export async function listLogs (app: AppContext, q: LogQuery): Promise<{ data: LogRow[], meta: { page: number, per_page: number, total: number } }> {
  const sql = app.sql
  const where = sql`
    (${q.webhookId ?? null}::uuid IS NULL OR webhook_id = ${q.webhookId ?? null}::uuid)
    AND (${q.status ?? null}::text IS NULL OR status = ${q.status ?? null}::text)
    AND (${q.entity ?? null}::text IS NULL OR entity = ${q.entity ?? null}::text)`
  const [rows, count] = await Promise.all([
    sql<LogRow[]>`SELECT * FROM _webhook_logs WHERE ${where} ORDER BY created_at DESC, id LIMIT ${q.perPage} OFFSET ${(q.page - 1) * q.perPage}`,
    sql<Array<{ total: string }>>`SELECT count(*) AS total FROM _webhook_logs WHERE ${where}`
  ])
  return { data: rows, meta: { page: q.page, per_page: q.perPage, total: Number(count[0]?.total ?? 0) } }
}

/** One delivery log by id; 404 NOT_FOUND when unknown or not a uuid. */
export async function getLog (app: AppContext, id: string): Promise<LogRow> {
  return await requireById('Webhook log', id, async (id) => (await app.sql<LogRow[]>`SELECT * FROM _webhook_logs WHERE id = ${id}`)[0])
}

/**
 * Re-queues a delivery whatever its state (a failed one, or a delivered one to replay): status
 * pending, due now, attempt reset to 0 so the webhook's `max_attempts` applies afresh. The
 * idempotency key stays (same event). The previous response and error stay until the next
 * attempt replaces them. Dispatched at once; returns the row as re-queued.
 */
export async function retryLog (app: AppContext, id: string): Promise<LogRow> {
  const row = await requireById('Webhook log', id, async (id) => (await app.sql<LogRow[]>`
    UPDATE _webhook_logs SET status = 'pending', attempt = 0, next_retry_at = now(), updated_at = now()
    WHERE id = ${id} RETURNING *`)[0])
  const compiled = webhooksOf(app.registry)
  compiled?.runtime.dispatch(app, [row.id])
  return row
}
