import { randomBytes } from 'node:crypto'
import { connect, type Sql } from '../db/connection.js'
import { migrateDatabase } from '../db/kysely.js'
import { appRoleFor, type AppRole } from '../db/roles.js'
import type { AppsRow } from '../db/system-tables.js'
import { migrateIndexNames } from '../ddl/legacy-indexes.js'
import { conflict, validationFailed } from '../errors.js'
import { buildRegistry, prepareRegistry, type Registry } from '../metadata/registry.js'
import { loadMetadata, type MetadataSnapshot } from '../metadata/store.js'
import { NAME_PATTERN, NAME_RE } from '../metadata/schemas.js'
import { appUnavailable, isDatabaseUnreachable } from './availability.js'
import { appDatabaseUrl, createAppDatabase, dropAppDatabase, migrateAppToRole } from './app-database.js'
import type { AppContext } from './context.js'
import { seedAppAdmin } from './seed.js'

/** An app as the platform API shows it: its `_apps` row without the JWT secret. */
export type AppRow = Omit<AppsRow, 'jwt_secret'>

export interface AppManagerOptions {
  /** The management database's pool (`_apps`). */
  platformSql: Sql
  /**
   * URL of the platform's own role on the server hosting the app databases (any database; we
   * swap the name): a superuser, or a role with CREATEROLE and CREATEDB. Apps never use it.
   */
  serverUrl: string
  /** Where the other database servers are and where a new app goes; without it every app is on `serverUrl`. */
  servers?: ServerLocator
  /** Secret the app roles' passwords are derived from (persisted in the management database). */
  roleSecret: string
  poolSize: number
  idleTimeout: number
  log: { warn: (msg: string) => void, info: (msg: string) => void }
  /** Extra work after the core registry is built (later capabilities compile their metadata). */
  extendRegistry?: (ctx: AppContext, registry: Registry) => Promise<void>
  /** Extra cleanup once an app is deleted (its uploaded files); a failure is logged, not thrown. */
  onRemoved?: (name: string) => Promise<void>
  /** Called once an app is marked for deletion, before its database is dropped: tells the other processes to let it go. */
  onRemoving?: (name: string) => Promise<void>
  /** Errors of apps that cannot be opened at startup (the process starts anyway). */
  error?: (obj: unknown, msg?: string) => void
}

/** The database servers, as the app manager needs them (`lib/servers/directory.ts`). */
export interface ServerLocator {
  /** The platform role's URL on the named server. */
  urlOf: (server: string) => Promise<string>
  /** The server a new app's database goes to: the requested one (unknown → 422) or the least loaded. */
  place: (requested: string | undefined) => Promise<string>
}

/** An app being deleted answers 404 from the moment it is marked (docs/ARCHITECTURE.md, "Across processes"). */
const DELETING = 'deleting'
const APP_COLUMNS = ['name', 'display_name', 'db_name', 'status', 'server', 'created_at', 'updated_at'] as const

/**
 * Owns every app's runtime context: one bounded postgres.js pool per app database whose idle
 * connections close after `idleTimeout` (so 100 quiet apps hold no connections), its JWT secret and compiled metadata registry.
 */
export class AppManager {
  private readonly contexts = new Map<string, Promise<AppContext | null>>()
  /** The contexts of `contexts` that are open, for the synchronous lookup every request makes. */
  private readonly open_ = new Map<string, AppContext>()
  private readonly opts: AppManagerOptions

  constructor (opts: AppManagerOptions) {
    this.opts = opts
  }

  /** The context of an app, opened on first use; null when no such app exists. */
  async get (name: string): Promise<AppContext | null> {
    if (!NAME_RE.test(name)) return null
    let pending = this.contexts.get(name)
    if (pending === undefined) {
      pending = this.open(name)
      this.contexts.set(name, pending)
      // An unknown name must not stay cached (the app may be created later).
      pending.then((ctx) => {
        if (ctx === null) this.contexts.delete(name)
        else if (this.contexts.get(name) === pending) this.open_.set(name, ctx)
      }, () => this.contexts.delete(name))
    }
    return await pending
  }

  /** The context of an app already open, without waiting (undefined: use `get`). */
  peek (name: string): AppContext | undefined {
    return this.open_.get(name)
  }

  async list (): Promise<AppRow[]> {
    const sql = this.opts.platformSql
    return await sql<AppRow[]>`SELECT ${sql(APP_COLUMNS)} FROM _apps ORDER BY name`
  }

  async row (name: string): Promise<AppRow | null> {
    const sql = this.opts.platformSql
    const [row] = await sql<AppRow[]>`SELECT ${sql(APP_COLUMNS)} FROM _apps WHERE name = ${name}`
    return row ?? null
  }

  /** Creates the app: its database, system tables, JWT secret and seeded admin user. */
  async create (input: { name: string, display_name?: string, server?: string }): Promise<AppRow> {
    // The route schema checks the shape (`schemas.ts`); the name also becomes a database name.
    const name = input.name
    if (!NAME_RE.test(name)) throw validationFailed('Invalid app', [{ field: 'name', rule: 'pattern', message: `name must match ${NAME_PATTERN}` }])
    const server = this.opts.servers === undefined ? 'default' : await this.opts.servers.place(input.server)
    const dbName = `rocket_${name}`.slice(0, 63)
    const [inserted] = await this.opts.platformSql`INSERT INTO _apps (name, display_name, db_name, server, jwt_secret)
      VALUES (${name}, ${input.display_name ?? name}, ${dbName}, ${server}, ${randomBytes(48).toString('base64url')})
      ON CONFLICT DO NOTHING RETURNING name`
    if (inserted === undefined) throw conflict(`App '${name}' already exists`, [{ field: 'name', rule: 'unique', message: 'name is taken' }])
    try {
      await createAppDatabase(await this.serverUrlOf(server), dbName, this.roleOf(dbName))
      const ctx = await this.get(name)
      if (ctx === null) throw new Error(`App ${name} vanished during creation`)
      await seedAppAdmin(ctx.sql, this.opts.log)
    } catch (err) {
      await this.remove(name).catch(() => {})
      throw err
    }
    return await this.row(name) as AppRow
  }

  /** Deletes the app: closes its pool, drops its database and role, forgets it. Returns false if unknown. */
  async remove (name: string): Promise<boolean> {
    const row = await this.row(name)
    if (row === null) return false
    await this.opts.platformSql`UPDATE _apps SET status = ${DELETING} WHERE name = ${name}`
    await this.opts.onRemoving?.(name).catch((err: unknown) => { this.opts.log.warn(`announcing the deletion of '${name}' failed: ${String(err)}`) })
    await this.close(name)
    await dropAppDatabase(await this.serverUrlOf(row.server), row.db_name, this.roleOf(row.db_name).name)
    await this.opts.platformSql`DELETE FROM _apps WHERE name = ${name}`
    // The app is gone either way; leftover files are only disk space (and its name can be reused).
    await this.opts.onRemoved?.(name).catch((err: unknown) => { this.opts.log.warn(`cleanup of app '${name}' failed: ${String(err)}`) })
    return true
  }

  /**
   * Migrates every app database (startup): an app created before apps had their own role is
   * moved to it first, then its system tables are migrated as that role.
   */
  async migrateAll (): Promise<void> {
    for (const app of await this.list()) {
      if (app.status === DELETING) continue
      try {
        await migrateAppToRole(await this.serverUrlOf(app.server), app.db_name, this.roleOf(app.db_name))
        await this.get(app.name)
      } catch (err) {
        // One broken app (or an unreachable server) must not keep the others down: it answers 503 until it can be opened.
        this.opts.error?.(err, `app '${app.name}' cannot be opened; it answers 503 until its database is back`)
      }
    }
  }

  /** True while the app exists and is not being deleted. */
  async exists (name: string): Promise<boolean> {
    const row = await this.row(name)
    return row !== null && row.status !== DELETING
  }

  /** Lets go of an app deleted by another process (its pool closed, nothing dropped). */
  async forget (name: string): Promise<void> {
    await this.close(name)
  }

  /** The platform role's URL on an app's database server. */
  async serverUrlOf (server: string): Promise<string> {
    return this.opts.servers === undefined ? this.opts.serverUrl : await this.opts.servers.urlOf(server)
  }

  /** The PostgreSQL role an app's pool logs in as (docs/security.md). */
  roleOf (dbName: string): AppRole {
    return appRoleFor(dbName, this.opts.roleSecret)
  }

  /** Rebuilds an app's registry if it is open (metadata changed in another process). */
  async reload (name: string): Promise<void> {
    const pending = this.contexts.get(name)
    const ctx = pending === undefined ? null : await pending.catch(() => null)
    if (ctx !== null) await ctx.reload()
  }

  /** The contexts opened so far (every app after startup), for background jobs that visit each app. */
  async openContexts (): Promise<AppContext[]> {
    const all = await Promise.all([...this.contexts.values()].map(async (p) => await p.catch(() => null)))
    return all.filter((c): c is AppContext => c !== null)
  }

  async closeAll (): Promise<void> {
    await Promise.all([...this.contexts.keys()].map(async (n) => { await this.close(n) }))
  }

  private async close (name: string): Promise<void> {
    const pending = this.contexts.get(name)
    this.contexts.delete(name)
    this.open_.delete(name)
    const ctx = pending === undefined ? null : await pending.catch(() => null)
    if (ctx !== null) await ctx.sql.end({ timeout: 5 })
  }

  private async open (name: string): Promise<AppContext | null> {
    const [row] = await this.opts.platformSql<AppsRow[]>`SELECT * FROM _apps WHERE name = ${name}`
    if (row === undefined || row.status === DELETING) return null
    const url = appDatabaseUrl(await this.serverUrlOf(row.server), row.db_name, this.roleOf(row.db_name))
    const sql = connect(url, { max: this.opts.poolSize, idleTimeout: this.opts.idleTimeout })
    let meta: MetadataSnapshot
    try {
      await migrateDatabase(sql, 'app')
      meta = await loadMetadata(sql)
      await migrateIndexNames(sql, meta, this.opts.log)
    } catch (err) {
      await sql.end()
      throw isDatabaseUnreachable(err) ? appUnavailable(name) : err
    }
    let version = 1
    const ctx: AppContext = {
      name,
      dbName: row.db_name,
      server: row.server,
      sql,
      jwtSecret: row.jwt_secret,
      registry: buildRegistry(meta.entities, meta.relations, version),
      reload: async () => {
        const fresh = await loadMetadata(sql)
        const next = buildRegistry(fresh.entities, fresh.relations, ++version, ctx.registry)
        await this.opts.extendRegistry?.(ctx, next)
        // Swap only once complete: a request sees the old version or the new one, never half.
        ctx.registry = next
        void prepareRegistry(next).catch((err: unknown) => { this.opts.log.warn(`preparing serializers of '${name}' failed: ${String(err)}`) })
      }
    }
    await this.opts.extendRegistry?.(ctx, ctx.registry)
    await prepareRegistry(ctx.registry)
    return ctx
  }
}
