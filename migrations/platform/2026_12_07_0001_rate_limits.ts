import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration must not import application code.
// Fixed-window counters shared by every server process (login, events, uploads). UNLOGGED:
// no WAL, and losing them in a crash only resets the windows.
export async function up (db: Kysely<any>): Promise<void> {
  await sql`
    CREATE UNLOGGED TABLE _rate_limits (
      key text PRIMARY KEY,
      count integer NOT NULL,
      window_end timestamptz NOT NULL
    )`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS _rate_limits`.execute(db)
}
