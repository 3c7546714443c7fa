import type { Sql } from '../db/connection.js'
import type { EventRow } from './types.js'

const COLUMNS = 'id, trace_id, span_id, parent_span_id, event_type, source, component, action, entity, record_id, user_id, duration_ms, status, metadata, created_at'
const RECORD = 'id uuid, trace_id text, span_id text, parent_span_id text, event_type text, source text, component text, ' +
  'action text, entity text, record_id text, user_id uuid, duration_ms double precision, status text, metadata jsonb, created_at timestamptz'
const INSERT = `INSERT INTO _events (${COLUMNS}) SELECT ${COLUMNS} FROM jsonb_to_recordset($1::text::jsonb) AS r(${RECORD})`

/**
 * Writes a batch of events in one INSERT. The rows travel as one JSON parameter expanded by
 * `jsonb_to_recordset`, so the statement text is the same whatever the batch size: it is
 * prepared once per connection (a VALUES list per row count would prepare one statement per
 * distinct size, each with up to 15 × 500 parameters). The parameter is typed text: as jsonb,
 * postgres.js would JSON-encode the already encoded string once more.
 */
export async function insertEvents (sql: Sql, rows: readonly EventRow[]): Promise<void> {
  if (rows.length === 0) return
  await sql.unsafe(INSERT, [JSON.stringify(rows)], { prepare: true })
}

/**
 * Retention: deletes the events older than `days`, `batchSize` rows per statement (short
 * statements, short locks, WAL in small pieces) until none is left. Returns how many.
 */
export async function deleteExpired (sql: Sql, opts: { days: number, batchSize?: number }): Promise<number> {
  const batch = opts.batchSize ?? 5000
  let total = 0
  for (;;) {
    const res = await sql`
      DELETE FROM _events WHERE id IN (
        SELECT id FROM _events WHERE created_at < now() - make_interval(days => ${opts.days}::int) LIMIT ${batch})`
    total += res.count
    if (res.count < batch) return total
  }
}
