import type { Kysely } from 'kysely'
import { hashPassword } from '../auth/passwords.js'
import type { AppDatabase, PlatformDatabase } from '../db/system-tables.js'

export const SEED_PASSWORD = 'changeme'

/** Seeds `admin@localhost / changeme` into a new app (warned in the log: change it). */
export async function seedAppAdmin (db: Kysely<AppDatabase>, log: { warn: (m: string) => void }): Promise<void> {
  const existing = await db.selectFrom('_users').select('id').limit(1).executeTakeFirst()
  if (existing !== undefined) return
  await db.insertInto('_users').values({ email: 'admin@localhost', password_hash: await hashPassword(SEED_PASSWORD), roles: ['admin'] }).execute()
  log.warn('Seeded app admin admin@localhost with the default password "changeme"; change it.')
}

/** Seeds `platform@localhost / changeme` on first boot of the management database. */
export async function seedPlatformAdmin (db: Kysely<PlatformDatabase>, log: { warn: (m: string) => void }): Promise<void> {
  const existing = await db.selectFrom('_platform_users').select('id').limit(1).executeTakeFirst()
  if (existing !== undefined) return
  await db.insertInto('_platform_users').values({ email: 'platform@localhost', password_hash: await hashPassword(SEED_PASSWORD), roles: ['admin'] }).execute()
  log.warn('Seeded platform admin platform@localhost with the default password "changeme"; change it.')
}
