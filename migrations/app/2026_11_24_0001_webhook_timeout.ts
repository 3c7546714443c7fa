import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration must not import application code.
// Per-webhook delivery timeout (SPEC §8 "called … with a timeout"); 5 s unless the webhook says otherwise.
export async function up (db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE _webhooks ADD COLUMN IF NOT EXISTS timeout_ms integer NOT NULL DEFAULT 5000`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE _webhooks DROP COLUMN IF EXISTS timeout_ms`.execute(db)
}
