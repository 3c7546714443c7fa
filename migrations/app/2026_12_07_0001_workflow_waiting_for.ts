import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration must not import application code.
// Instance status is `running` while paused at an approval or a wait (docs/ARCHITECTURE.md,
// Workflows): what it waits for moves from `status` to its own column.
export async function up (db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE _workflow_instances ADD COLUMN IF NOT EXISTS waiting_for text`.execute(db)
  await sql`
    UPDATE _workflow_instances
    SET waiting_for = CASE status WHEN 'waiting_approval' THEN 'approval' ELSE 'wait' END, status = 'running'
    WHERE status IN ('waiting_approval', 'waiting')`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`
    UPDATE _workflow_instances SET status = CASE waiting_for WHEN 'approval' THEN 'waiting_approval' ELSE 'waiting' END
    WHERE status = 'running' AND waiting_for IS NOT NULL`.execute(db)
  await sql`ALTER TABLE _workflow_instances DROP COLUMN IF EXISTS waiting_for`.execute(db)
}
