import { randomBytes } from 'node:crypto'
import type { Config } from '../../config/index.js'
import { restrictDatabase } from '../apps/app-database.js'
import { AppManager } from '../apps/manager.js'
import { announceAppDeleted, listenForPlatformChanges } from '../apps/platform-changes.js'
import { seedPlatformAdmin } from '../apps/seed.js'
import { detectCapabilities, noteServer, unsupportedServer } from '../db/capabilities.js'
import { connect, databaseOf, ensureDatabase, withDatabase, type Sql } from '../db/connection.js'
import { startEmbeddedPostgres } from '../db/embedded.js'
import { migrateDatabase } from '../db/kysely.js'
import { requireRoleManagement } from '../db/roles.js'
import type { PlatformSettingsRow } from '../db/system-tables.js'
import type { Engine } from '../engine/modules.js'
import { createLocalStorage } from '../files/local-storage.js'
import type { FileStorage } from '../files/storage.js'
import { ServerDirectory } from '../servers/directory.js'
import { BootError } from './boot-error.js'

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
  apps: AppManager
  /** The database servers app databases live on, and their replicas (docs/ARCHITECTURE.md, "Database servers"). */
  servers: ServerDirectory
  jwtSecret: string
  /** Identifies this server instance in NOTIFY payloads so it skips its own announcements. */
  instanceId: string
  close: () => Promise<void>
}

const METADATA_CHANNEL = 'rocket_metadata'
/** First key of the advisory lock boot steps run under (the second: the management database's name). */
const BOOT_LOCK = 0x526f636b
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
  // postgres.js connects lazily: the pool is opened once the database exists (below).
  const sql = connect(managementUrl, { max: config.poolSize })
  try {
    // Processes started together on one server take turns (docs/ARCHITECTURE.md, "Across
    // processes"): the session lock on this connection is held until migrations and seeding are done.
    const admin = connect(withDatabase(managementUrl, 'postgres'), { max: 1 })
    let apps: AppManager
    let servers: ServerDirectory
    let jwtSecret: string
    const files = createLocalStorage(config.storagePath)
    const instanceId = randomBytes(8).toString('hex')
    try {
      await requireServerVersion(admin)
      await admin`SELECT pg_advisory_lock(${BOOT_LOCK}, hashtext(${databaseOf(managementUrl)}))`
      await requireRoleManagement(admin)
      await ensureDatabase(admin, databaseOf(managementUrl))
      await closeManagementDatabase(admin, databaseOf(managementUrl), log)
      await migrateDatabase(sql, 'platform')
      await seedPlatformAdmin(sql, log)
      jwtSecret = config.platformJwtSecret ?? await persistedSecret(sql, 'platform_jwt_secret')
      servers = new ServerDirectory({ sql, defaultUrl: managementUrl, configured: config.databaseServers, instanceId, log })
      await servers.start()
      const directory = servers
      apps = new AppManager({
        platformSql: sql,
        serverUrl: managementUrl,
        servers: { urlOf: async (name) => (await directory.resolve(name)).url, place: async (requested) => await directory.place(requested) },
        roleSecret: await persistedSecret(sql, 'app_role_secret'),
        poolSize: config.appPoolSize,
        idleTimeout: config.appPoolIdleTimeout,
        log,
        extendRegistry: engine.loadAll,
        onRemoved: async (name) => { await files.removeApp(name) },
        onRemoving: async (name) => { await announceAppDeleted({ sql, instanceId }, name) },
        error: log.error
      })
      await apps.migrateAll()
    } finally { await admin.end() }
    const stopPlatformChanges = await listenForPlatformChanges({ sql, instanceId }, { apps, log })
    let metadataListening = false
    const listener = await sql.listen(METADATA_CHANNEL, (payload) => {
      const [origin, app] = payload.split(':')
      if (origin === instanceId || app === undefined) return
      apps.reload(app).catch((err: unknown) => log.error(err, 'metadata reload failed'))
    }, () => {
      // After a reconnect a change may have been missed: reload every open app (the first call is the initial LISTEN).
      if (!metadataListening) { metadataListening = true; return }
      void apps.openContexts().then(async (contexts) => { await Promise.all(contexts.map(async (ctx) => { await ctx.reload() })) })
        .catch((err: unknown) => { log.error(err, 'metadata resync failed') })
    })
    return {
      config,
      engine,
      files,
      sql,
      apps,
      servers,
      jwtSecret,
      instanceId,
      close: async () => {
        await listener.unlisten().catch(() => {})
        await stopPlatformChanges()
        await apps.closeAll()
        await servers.close()
        await sql.end({ timeout: 5 })
        if (stopEmbedded !== null) await stopEmbedded()
      }
    }
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {})
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

/** PostgreSQL 14+ (docs/ARCHITECTURE.md, "PostgreSQL versions"); the write path learns what the server can do. */
async function requireServerVersion (sql: Sql): Promise<void> {
  const caps = await detectCapabilities(sql)
  const problem = unsupportedServer(caps)
  if (problem !== null) throw new BootError(problem, 'point DATABASE_URL at PostgreSQL 14 or newer (or unset it to use the embedded PostgreSQL 18)')
  noteServer(caps)
}

/** Tells every server process (including this one) that an app's metadata changed. */
export async function announceMetadataChange (platform: Platform, app: string): Promise<void> {
  await platform.sql.notify(METADATA_CHANNEL, `${platform.instanceId}:${app}`)
}

/** The stored secret of that key, generated and stored first when there is none (runs under the boot lock). */
async function persistedSecret (sql: Sql, key: string): Promise<string> {
  await sql`INSERT INTO _platform_settings (key, value) VALUES (${key}, ${randomBytes(48).toString('base64url')}) ON CONFLICT (key) DO NOTHING`
  const [row] = await sql<Array<Pick<PlatformSettingsRow, 'value'>>>`SELECT value FROM _platform_settings WHERE key = ${key}`
  if (row === undefined) throw new Error(`platform setting ${key} was not stored`)
  return row.value
}
