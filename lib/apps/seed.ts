import { hashPassword } from '../auth/passwords.js'
import type { Sql } from '../db/connection.js'

export const SEED_PASSWORD = 'changeme'

/** Seeds `admin@localhost / changeme` into a new app (warned in the log: change it). */
export async function seedAppAdmin (sql: Sql, log: { warn: (m: string) => void }): Promise<void> {
  const [existing] = await sql`SELECT 1 AS x FROM _users LIMIT 1`
  if (existing !== undefined) return
  await sql`INSERT INTO _users (email, password_hash, roles) VALUES ('admin@localhost', ${await hashPassword(SEED_PASSWORD)}, ${['admin']})`
  log.warn('Seeded app admin admin@localhost with the default password "changeme"; change it.')
}

/** Seeds `platform@localhost / changeme` on first boot of the management database. */
export async function seedPlatformAdmin (sql: Sql, log: { warn: (m: string) => void }): Promise<void> {
  const [existing] = await sql`SELECT 1 AS x FROM _platform_users LIMIT 1`
  if (existing !== undefined) return
  await sql`INSERT INTO _platform_users (email, password_hash, roles) VALUES ('platform@localhost', ${await hashPassword(SEED_PASSWORD)}, ${['admin']})`
  log.warn('Seeded platform admin platform@localhost with the default password "changeme"; change it.')
}
