import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration must not import application code.
// Build status of indexes declared in metadata (docs/QUERYING.md "Declared indexes"): written by
// the process that builds them (CREATE INDEX CONCURRENTLY, after the metadata change), read by
// every process for the admin API, so all report the same status.
export async function up (db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE IF NOT EXISTS _declared_indexes (
      name text PRIMARY KEY,
      table_name text NOT NULL,
      status text NOT NULL CHECK (status IN ('building', 'ready', 'failed')),
      error text,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS _declared_indexes`.execute(db)
}
