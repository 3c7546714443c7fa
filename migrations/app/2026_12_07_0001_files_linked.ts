import { sql, type Kysely } from 'kysely'

// Frozen in time: this migration must not import application code.
// `linked_at`: when a record first referenced the file. Files never linked are removed after a
// day; files uploaded before this column existed count as linked (they are never removed).
export async function up (db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE _files ADD COLUMN IF NOT EXISTS linked_at timestamptz`.execute(db)
  await sql`UPDATE _files SET linked_at = created_at WHERE linked_at IS NULL`.execute(db)
  await sql`CREATE INDEX IF NOT EXISTS _files_unlinked ON _files (created_at) WHERE linked_at IS NULL`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS _files_unlinked`.execute(db)
  await sql`ALTER TABLE _files DROP COLUMN IF EXISTS linked_at`.execute(db)
}
