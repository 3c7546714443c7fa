import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely'

const MIGRATIONS_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations')

/** Loads every migration file of a folder, ordered by (date-prefixed) file name. */
class FolderMigrationProvider implements MigrationProvider {
  constructor (private readonly folder: string) {}

  async getMigrations (): Promise<Record<string, Migration>> {
    const files = (await readdir(this.folder)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort()
    const migrations: Record<string, Migration> = {}
    for (const file of files) {
      const mod = await import(pathToFileURL(path.join(this.folder, file)).href) as Migration
      migrations[file.replace(/\.(ts|js)$/, '')] = mod
    }
    return migrations
  }
}

/**
 * Brings a database to the newest version of its migration folder (`platform` or `app`).
 * Re-runnable: applied migrations are recorded by Kysely and skipped.
 */
export async function migrateToLatest (db: Kysely<any>, kind: 'platform' | 'app'): Promise<void> {
  const migrator = new Migrator({ db, provider: new FolderMigrationProvider(path.join(MIGRATIONS_ROOT, kind)) })
  const { error, results } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')
    throw new Error(`Migration ${failed?.migrationName ?? ''} of ${kind} database failed: ${String(error)}`, { cause: error })
  }
}
