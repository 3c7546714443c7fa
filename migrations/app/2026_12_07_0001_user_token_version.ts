import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration must not import application code.
// Access tokens carry the user's token version; raising it (roles, password, active or email
// changed) refuses every token issued before (docs/security.md, "Access tokens").
export async function up (db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE _users ADD COLUMN IF NOT EXISTS token_version integer NOT NULL DEFAULT 0`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE _users DROP COLUMN IF EXISTS token_version`.execute(db)
}
