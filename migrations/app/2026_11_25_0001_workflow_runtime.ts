import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration must not import application code.
// Workflow runtime bookkeeping (SPEC §8 Workflows): what started an instance, who may decide
// its pending approval, how many workflow writes led to it (cycle bound), and the lease of the
// process advancing it (a crashed process's instance is resumed once the lease expired).
export async function up (db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE _workflow_instances
      ADD COLUMN IF NOT EXISTS trigger jsonb NOT NULL DEFAULT '{}',
      ADD COLUMN IF NOT EXISTS assignee jsonb,
      ADD COLUMN IF NOT EXISTS chain integer NOT NULL DEFAULT 0,
      ADD COLUMN IF NOT EXISTS lease_id uuid,
      ADD COLUMN IF NOT EXISTS locked_until timestamptz`.execute(db)
  await sql`CREATE INDEX IF NOT EXISTS _workflow_instances_workflow ON _workflow_instances (workflow_id)`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS _workflow_instances_workflow`.execute(db)
  await sql`
    ALTER TABLE _workflow_instances
      DROP COLUMN IF EXISTS trigger, DROP COLUMN IF EXISTS assignee, DROP COLUMN IF EXISTS chain,
      DROP COLUMN IF EXISTS lease_id, DROP COLUMN IF EXISTS locked_until`.execute(db)
}
