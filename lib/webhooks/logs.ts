import type { AppContext } from '../apps/context.js'
import { requireById } from '../db/by-id.js'
import { invalidPayload } from '../errors.js'
import { UUID_RE } from '../fields/spec.js'
import { webhooksOf } from './compile.js'
import { LOG_STATUSES, type LogRow, type LogStatus } from './types.js'

/** Filters and page of `GET /_admin/webhook-logs`. */
export interface LogQuery {
  webhookId?: string
  status?: LogStatus
  entity?: string
  page: number
  perPage: number
}

const MAX_PER_PAGE = 100

function positiveInt (raw: unknown, name: string, max: number): number | undefined {
  if (raw === undefined) return undefined
  const n = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : NaN
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalidPayload(`${name} must be an integer from 1 to ${max}`, [{ field: name, message: `must be 1..${max}` }])
  return n
}

/** Reads `?webhook_id ?status ?entity ?page ?per_page`; a malformed value is 400 INVALID_PAYLOAD. */
export function parseLogQuery (query: Record<string, unknown>): LogQuery {
  const { webhook_id: webhookId, status, entity } = query
  if (webhookId !== undefined && (typeof webhookId !== 'string' || !UUID_RE.test(webhookId))) {
    throw invalidPayload('webhook_id must be a uuid', [{ field: 'webhook_id', message: 'must be a uuid' }])
  }
  if (status !== undefined && !LOG_STATUSES.includes(status as LogStatus)) {
    throw invalidPayload(`status must be one of: ${LOG_STATUSES.join(', ')}`, [{ field: 'status', message: 'unknown status' }])
  }
  if (entity !== undefined && typeof entity !== 'string') throw invalidPayload('entity must be a name', [{ field: 'entity', message: 'must be a string' }])
  return {
    ...(webhookId !== undefined ? { webhookId: webhookId as string } : {}),
    ...(status !== undefined ? { status: status as LogStatus } : {}),
    ...(entity !== undefined ? { entity: entity as string } : {}),
    page: positiveInt(query.page, 'page', 1_000_000) ?? 1,
    perPage: positiveInt(query.per_page, 'per_page', MAX_PER_PAGE) ?? 25
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
