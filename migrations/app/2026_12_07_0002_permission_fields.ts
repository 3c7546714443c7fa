import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration must not import application code.
// Field-level permissions (docs/security.md, "Field permissions"): a policy may name the fields
// it grants; NULL (every existing policy) grants every field.
export async function up (db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE _permissions ADD COLUMN IF NOT EXISTS fields text[]`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE _permissions DROP COLUMN IF EXISTS fields`.execute(db)
}
