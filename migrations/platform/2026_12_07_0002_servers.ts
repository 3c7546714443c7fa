import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration must not import application code.
// The PostgreSQL servers app databases may live on (docs/ARCHITECTURE.md, "Database servers").
// The management database's own server is `default` and has no row: its URL is DATABASE_URL.
export async function up (db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE _servers (
      name text PRIMARY KEY,
      url text NOT NULL,
      replicas text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db)
  await sql`ALTER TABLE _apps ADD COLUMN server text NOT NULL DEFAULT 'default'`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE _apps DROP COLUMN IF EXISTS server`.execute(db)
  await sql`DROP TABLE IF EXISTS _servers`.execute(db)
}
