import type { Sql, TransactionSql } from '../db/connection.js'
import type { DeliveryResult } from './http.js'
import type { LogRow, LogStatus } from './types.js'

type Db = Sql | TransactionSql

/** A delivery to record in `_webhook_logs`. */
export interface NewLog {
  webhookId: string | null
  entity: string
  hook: string
  url: string
  method: string
  /** Header templates as configured plus `Idempotency-Key`; never resolved values. */
  headers: Record<string, string>
  body: unknown
  idempotencyKey: string
  maxAttempts: number
}

/** A claimed row with what its delivery needs from its webhook (null when it has none). */
export interface ClaimedLog extends LogRow {
  secret: string | null
  webhook_timeout_ms: number | null
  backoff: string | null
}

function json (sql: Db, value: unknown): ReturnType<Db['json']> {
  return sql.json(value as Parameters<Db['json']>[0])
}

/**
 * Writes a pending delivery (the outbox row), normally inside the data change's transaction so
 * it exists exactly when the change does. It becomes due for the scheduler after `graceMs`: its
 * writer claims it right after COMMIT, so the scheduler only picks it up when that did not
 * happen (crash, overload).
 */
export async function insertPendingLog (sql: Db, log: NewLog, graceMs: number): Promise<string> {
  const rows = await sql<Array<{ id: string }>>`
    INSERT INTO _webhook_logs (webhook_id, entity, hook, url, method, request_headers, request_body, status, attempt, max_attempts,
      next_retry_at, idempotency_key)
    VALUES (${log.webhookId}, ${log.entity}, ${log.hook}, ${log.url}, ${log.method}, ${json(sql, log.headers)}, ${json(sql, log.body)},
      'pending', 0, ${log.maxAttempts}, now() + ${graceMs} * interval '1 millisecond', ${log.idempotencyKey})
    RETURNING id`
  return (rows[0] as { id: string }).id
}

/** Records a delivery that already happened (a sync webhook, or a refused state-machine action). */
export async function insertFinishedLog (sql: Db, log: NewLog, result: DeliveryResult): Promise<void> {
  await sql`
    INSERT INTO _webhook_logs (webhook_id, entity, hook, url, method, request_headers, request_body, response_status, response_body,
      status, attempt, max_attempts, error, idempotency_key)
    VALUES (${log.webhookId}, ${log.entity}, ${log.hook}, ${log.url}, ${log.method}, ${json(sql, log.headers)}, ${json(sql, log.body)},
      ${result.status}, ${clean(result.body)}, ${result.ok ? 'delivered' : 'failed'}, 1, ${log.maxAttempts}, ${result.error},
      ${log.idempotencyKey})`
}

/**
 * Claims due deliveries: `pending`/`retrying` rows whose `next_retry_at` passed (or, with `ids`,
 * those pending rows if nobody claimed them yet, even within their grace period), locked with `FOR UPDATE SKIP LOCKED` so concurrent
 * claimers — other server processes included — never get the same row. A claim counts the
 * attempt and leases the row for `leaseMs` (a claimer that dies mid-delivery frees it then).
 */
export async function claimLogs (sql: Sql, opts: { limit: number, leaseMs: number, ids?: readonly string[] }): Promise<ClaimedLog[]> {
  const due = opts.ids === undefined
    ? sql`status IN ('pending', 'retrying') AND next_retry_at <= now()`
    : sql`id = ANY(${sql.array([...opts.ids])}::uuid[]) AND status = 'pending' AND (attempt = 0 OR next_retry_at <= now())`
  return await sql<ClaimedLog[]>`
    WITH due AS (
      SELECT id FROM _webhook_logs WHERE ${due} ORDER BY next_retry_at LIMIT ${opts.limit} FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE _webhook_logs l SET attempt = l.attempt + 1, next_retry_at = now() + ${opts.leaseMs} * interval '1 millisecond', updated_at = now()
      FROM due WHERE l.id = due.id
      RETURNING l.*
    )
    SELECT c.*, w.secret, w.timeout_ms AS webhook_timeout_ms, w.retry->>'backoff' AS backoff
    FROM claimed c LEFT JOIN _webhooks w ON w.id = c.webhook_id
    ORDER BY c.created_at`
}

/**
 * Hands committed rows this process was to deliver (they wait out a grace period meant for the
 * writer) to every process at once: it is draining (docs/ARCHITECTURE.md, "Across processes").
 */
export async function handOverLogs (sql: Sql, ids: readonly string[]): Promise<void> {
  await sql`UPDATE _webhook_logs SET next_retry_at = now() WHERE id = ANY(${sql.array([...ids])}::uuid[]) AND status = 'pending' AND attempt = 0`
}

/** PostgreSQL text cannot hold NUL; a receiver's body may. */
function clean (text: string | null): string | null {
  return text === null ? null : text.replace(/\0/g, '')
}

/**
 * Stores the outcome of a claimed attempt. Matched on the attempt number: if the row was
 * re-queued by hand meanwhile (attempt reset), the stale outcome is dropped.
 */
export async function recordOutcome (sql: Sql, log: ClaimedLog, outcome: { result: DeliveryResult, status: LogStatus, retryInMs: number | null }): Promise<void> {
  const { result, status, retryInMs } = outcome
  const next = retryInMs === null ? sql`NULL` : sql`now() + ${retryInMs} * interval '1 millisecond'`
  await sql`
    UPDATE _webhook_logs SET status = ${status}, response_status = ${result.status}, response_body = ${clean(result.body)},
      error = ${result.error}, next_retry_at = ${next}, updated_at = now()
    WHERE id = ${log.id} AND attempt = ${log.attempt}`
}
