import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration must not import application code.
// The realtime outbox (docs/ARCHITECTURE.md "Realtime"): one row per changed record, written by
// the record's own statement. `id` comes from an identity sequence WITHOUT a cache (the
// default), so ids are dense: a gap is a transaction still running or rolled back, which the
// reader tells apart with snapshots. `record` is the row after the change (create/update),
// `old` the row before it (update/delete), both as the API shows them.
export async function up (db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS _changes (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      entity text NOT NULL,
      record_id text NOT NULL,
      action text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
      record jsonb,
      old jsonb,
      at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS _changes`.execute(db)
}
