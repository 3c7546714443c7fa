import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Config } from '../../config/index.js'
import { restrictDatabase } from '../apps/app-database.js'
import { AppManager } from '../apps/manager.js'
import { seedPlatformAdmin } from '../apps/seed.js'
import { connect, databaseOf, ensureDatabase, withDatabase, type Sql } from '../db/connection.js'
import { startEmbeddedPostgres } from '../db/embedded.js'
import { kyselyFor } from '../db/kysely.js'
import { migrateToLatest } from '../db/migrate.js'
import { requireRoleManagement } from '../db/roles.js'
import type { PlatformDatabase } from '../db/system-tables.js'
import type { Engine } from '../engine/modules.js'
import { createLocalStorage } from '../files/local-storage.js'
import type { FileStorage } from '../files/storage.js'
import { ServerDirectory } from '../servers/directory.js'

export interface Logger {
  info: (msg: string) => void
  warn: (msg: string) => void
  error: (obj: unknown, msg?: string) => void
}

/** The control plane: management database, app manager and platform secret. */
export interface Platform {
  config: Config
  engine: Engine
  /** Where uploaded files' bytes are kept (`STORAGE_PATH`, one folder per app). */
  files: FileStorage
  sql: Sql
  db: Kysely<PlatformDatabase>
  apps: AppManager
  /** The database servers app databases live on, and their replicas (docs/ARCHITECTURE.md, "Database servers"). */
  servers: ServerDirectory
  jwtSecret: string
  /** Identifies this server instance in NOTIFY payloads so it skips its own announcements. */
  instanceId: string
  close: () => Promise<void>
}

const METADATA_CHANNEL = 'rocket_metadata'
const MANAGEMENT_DB = 'rocket'

/**
 * Starts the control plane: an embedded PostgreSQL unless DATABASE_URL is set, the migrated
 * management database with the seeded platform admin, the platform JWT secret (configured, or
 * generated once and persisted), and a LISTEN channel through which metadata changes made by
 * other server processes reach this one.
 */
export async function bootPlatform (config: Config, log: Logger, engine: Engine): Promise<Platform> {
  let stopEmbedded: (() => Promise<void>) | null = null
  let managementUrl: string
  if (config.databaseUrl === null) {
    const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log: (m) => log.warn(m) })
    stopEmbedded = pg.stop
    managementUrl = withDatabase(pg.url, MANAGEMENT_DB)
  } else {
    managementUrl = config.databaseUrl
  }
  try {
    const admin = connect(withDatabase(managementUrl, 'postgres'), { max: 1 })
    try {
      await requireServerVersion(admin)
      await requireRoleManagement(admin)
      await ensureDatabase(admin, databaseOf(managementUrl))
      await closeManagementDatabase(admin, databaseOf(managementUrl), log)
    } finally { await admin.end() }
    const sql = connect(managementUrl, { max: config.poolSize })
    const db = kyselyFor<PlatformDatabase>(sql)
    await migrateToLatest(db, 'platform')
    await seedPlatformAdmin(db, log)
    const jwtSecret = config.platformJwtSecret ?? await persistedSecret(db, 'platform_jwt_secret')
    const files = createLocalStorage(config.storagePath)
    const instanceId = randomBytes(8).toString('hex')
    const servers = new ServerDirectory({ db, sql, defaultUrl: managementUrl, configured: config.databaseServers, instanceId, log })
    await servers.start()
    const apps = new AppManager({
      platformDb: db,
      serverUrl: managementUrl,
      servers: { urlOf: async (name) => (await servers.resolve(name)).url, place: async (requested) => await servers.place(requested) },
      roleSecret: await persistedSecret(db, 'app_role_secret'),
      poolSize: config.appPoolSize,
      idleTimeout: config.appPoolIdleTimeout,
      log,
      extendRegistry: engine.loadAll,
      onRemoved: async (name) => { await files.removeApp(name) }
    })
    await apps.migrateAll()
    const listener = await sql.listen(METADATA_CHANNEL, (payload) => {
      const [origin, app] = payload.split(':')
      if (origin === instanceId || app === undefined) return
      apps.reload(app).catch((err: unknown) => log.error(err, 'metadata reload failed'))
    })
    return {
      config,
      engine,
      files,
      sql,
      db,
      apps,
      servers,
      jwtSecret,
      instanceId,
      close: async () => {
        await listener.unlisten().catch(() => {})
        await apps.closeAll()
        await servers.close()
        await db.destroy().catch(() => {})
        await sql.end({ timeout: 5 })
        if (stopEmbedded !== null) await stopEmbedded()
      }
    }
  } catch (err) {
    if (stopEmbedded !== null) await stopEmbedded()
    throw err
  }
}

/**
 * No app role may connect to the management database (users, app secrets, the role secret):
 * PUBLIC's default CONNECT is revoked. Only its owner can; another owner is warned about.
 */
async function closeManagementDatabase (sql: Sql, name: string, log: Logger): Promise<void> {
  const [row] = await sql<Array<{ mine: boolean }>>`SELECT pg_catalog.pg_has_role(datdba, 'USAGE') AS mine FROM pg_catalog.pg_database WHERE datname = ${name}`
  if (row?.mine === true) await restrictDatabase(sql, name)
  else log.warn(`management database ${name} is not owned by the platform role: revoke CONNECT on it from PUBLIC yourself`)
}

/** The oldest PostgreSQL the write path runs on: it reads previous values with `RETURNING old.*` (PostgreSQL 18). */
const MIN_SERVER_VERSION = 180000

async function requireServerVersion (sql: Sql): Promise<void> {
  const [row] = await sql<Array<{ v: string }>>`SELECT current_setting('server_version_num') AS v`
  const version = Number(row?.v ?? 0)
  if (version < MIN_SERVER_VERSION) {
    throw new Error(`PostgreSQL 18 or newer is required (DATABASE_URL points at server_version_num ${version})`)
  }
}

/** Tells every server process (including this one) that an app's metadata changed. */
export async function announceMetadataChange (platform: Platform, app: string): Promise<void> {
  await platform.sql.notify(METADATA_CHANNEL, `${platform.instanceId}:${app}`)
}

async function persistedSecret (db: Kysely<PlatformDatabase>, key: string): Promise<string> {
  await db.insertInto('_platform_settings').values({ key, value: randomBytes(48).toString('base64url') })
    .onConflict((oc) => oc.column('key').doNothing()).execute()
  const row = await db.selectFrom('_platform_settings').select('value').where('key', '=', key).executeTakeFirstOrThrow()
  return row.value
}
