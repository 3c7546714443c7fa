import { Kysely } from 'kysely'
import { PostgresJSDialect } from 'kysely-postgres-js'
import type { Sql } from './connection.js'
import { migrateToLatest } from './migrate.js'

/**
 * A Kysely instance over the given postgres.js pool, for the migration runner only (runtime
 * code queries system tables with postgres.js: docs/ARCHITECTURE.md, "Data access"). Its
 * `destroy()` would end the shared pool: drop the instance instead.
 */
export function kyselyFor<DB> (sql: Sql): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresJSDialect({ postgres: sql as never }) })
}

/** Brings the database behind `sql` to its newest migration, through a Kysely instance used for that alone. */
export async function migrateDatabase (sql: Sql, kind: 'platform' | 'app'): Promise<void> {
  await migrateToLatest(kyselyFor(sql), kind)
}
