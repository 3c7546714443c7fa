import { Kysely } from 'kysely'
import { PostgresJSDialect } from 'kysely-postgres-js'
import type { Sql } from './connection.js'

/** A Kysely instance sharing the given postgres.js pool (no second pool per database). */
export function kyselyFor<DB> (sql: Sql): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresJSDialect({ postgres: sql as never }) })
}
