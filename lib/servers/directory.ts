import { DEFAULT_SERVER, type ServerSpec } from '../../config/database-servers.js'
import { connect, withDatabase, type Sql } from '../db/connection.js'
import type { AppsRow, ServersRow } from '../db/system-tables.js'
import { conflict, validationFailed } from '../errors.js'

/** A server app databases can live on: the platform role's URL there and its streaming replicas. */
export interface ServerEntry {
  name: string
  url: string
  replicas: readonly string[]
}

export interface ServerDirectoryDeps {
  /** The management database's pool: `_servers`, LISTEN/NOTIFY, and the `default` server's WAL position. */
  sql: Sql
  /** The management server's URL (the platform role): the server named `default`. */
  defaultUrl: string
  /** `DATABASE_SERVERS`. */
  configured: readonly ServerSpec[]
  instanceId: string
  log: { error: (obj: unknown, msg?: string) => void }
}

const CHANNEL = 'rocket_servers'

/**
 * The database servers known to the platform (docs/ARCHITECTURE.md, "Database servers"):
 * `default` (the management server, with the replicas `DATABASE_SERVERS` gives it) plus the rows
 * of `_servers` (from `DATABASE_SERVERS`, upserted at boot, and `POST /api/_platform/servers`).
 * A registration is announced on `rocket_servers`; every process reloads its copy. A name this
 * process does not know yet (announcement lost) is looked up again before it is refused.
 */
export class ServerDirectory {
  private entries = new Map<string, ServerEntry>()
  private readonly adminPools = new Map<string, Sql>()
  private readonly listeners = new Set<() => void>()
  private unlisten: (() => Promise<void>) | null = null

  constructor (private readonly deps: ServerDirectoryDeps) {}

  /** Stores the configured servers, loads all of them and starts listening for registrations. */
  async start (): Promise<void> {
    for (const s of this.deps.configured) {
      if (s.name === DEFAULT_SERVER || s.url === null) continue
      // The configuration is the operator's truth for the servers it names.
      await this.deps.sql`INSERT INTO _servers (name, url, replicas) VALUES (${s.name}, ${s.url}, ${s.replicas}::text[])
        ON CONFLICT (name) DO UPDATE SET url = excluded.url, replicas = excluded.replicas`
    }
    await this.load()
    const listener = await this.deps.sql.listen(CHANNEL, (payload) => {
      if (payload === this.deps.instanceId) return
      this.load().catch((err: unknown) => { this.deps.log.error(err, 'reloading database servers failed') })
    })
    this.unlisten = async () => { await listener.unlisten().catch(() => {}) }
  }

  async load (): Promise<void> {
    const rows = await this.deps.sql<Array<Pick<ServersRow, 'name' | 'url' | 'replicas'>>>`SELECT name, url, replicas FROM _servers ORDER BY name`
    const next = new Map<string, ServerEntry>()
    const defaultReplicas = this.deps.configured.find((s) => s.name === DEFAULT_SERVER)?.replicas ?? []
    next.set(DEFAULT_SERVER, { name: DEFAULT_SERVER, url: this.deps.defaultUrl, replicas: defaultReplicas })
    for (const r of rows) next.set(r.name, { name: r.name, url: r.url, replicas: r.replicas })
    const changed = JSON.stringify([...this.entries.values()]) !== JSON.stringify([...next.values()])
    this.entries = next
    if (changed) for (const l of this.listeners) l()
  }

  /** Called after the set of servers or replicas changed (the replica probe follows it). */
  onChange (listener: () => void): void {
    this.listeners.add(listener)
  }

  list (): ServerEntry[] {
    return [...this.entries.values()]
  }

  get (name: string): ServerEntry | undefined {
    return this.entries.get(name)
  }

  /** The server of that name, reloading once when this process has not heard of it yet. */
  async resolve (name: string): Promise<ServerEntry> {
    let entry = this.entries.get(name)
    if (entry === undefined) {
      await this.load()
      entry = this.entries.get(name)
    }
    if (entry === undefined) throw new Error(`database server '${name}' is not registered`)
    return entry
  }

  /** Apps per server (servers without apps: 0). */
  async appCounts (): Promise<Map<string, number>> {
    const rows = await this.deps.sql<Array<Pick<AppsRow, 'server'> & { n: string }>>`SELECT server, count(*) AS n FROM _apps GROUP BY server`
    const counts = new Map<string, number>(this.list().map((s) => [s.name, 0]))
    for (const r of rows) counts.set(r.server, Number(r.n))
    return counts
  }

  /**
   * Where a new app's database goes: the named server (unknown → 422), else the one with the
   * fewest apps (ties: `default`, then by name).
   */
  async place (requested: string | undefined): Promise<string> {
    if (requested !== undefined) {
      if (this.entries.get(requested) === undefined) await this.load()
      if (this.entries.get(requested) === undefined) {
        throw validationFailed('Invalid app', [{ field: 'server', rule: 'exists', message: `no database server named '${requested}' (GET /api/_platform/servers lists them)` }])
      }
      return requested
    }
    await this.load()
    const counts = await this.appCounts()
    let best = DEFAULT_SERVER
    for (const [name, n] of counts) {
      if (n < (counts.get(best) ?? 0)) best = name
    }
    return best
  }

  /** 409 when a server of that name exists (`default` included). */
  requireFreeName (name: string): void {
    if (this.entries.has(name)) throw conflict(`Database server '${name}' already exists`, [{ field: 'name', rule: 'unique', message: 'name is taken' }])
  }

  /** Stores a new server (409 when the name is taken) and tells every process. The caller checked it answers. */
  async register (entry: ServerEntry): Promise<void> {
    this.requireFreeName(entry.name)
    const [inserted] = await this.deps.sql`INSERT INTO _servers (name, url, replicas) VALUES (${entry.name}, ${entry.url}, ${[...entry.replicas]}::text[])
      ON CONFLICT (name) DO NOTHING RETURNING name`
    if (inserted === undefined) throw conflict(`Database server '${entry.name}' already exists`, [{ field: 'name', rule: 'unique', message: 'name is taken' }])
    await this.load()
    await this.deps.sql.notify(CHANNEL, this.deps.instanceId)
  }

  /**
   * A small pool of the platform role on a server (its `postgres` database) for server-wide
   * questions such as the WAL position; `default` uses the management pool.
   */
  adminSql (name: string): Sql {
    if (name === DEFAULT_SERVER) return this.deps.sql
    let pool = this.adminPools.get(name)
    if (pool === undefined) {
      const entry = this.entries.get(name)
      if (entry === undefined) throw new Error(`database server '${name}' is not registered`)
      pool = connect(withDatabase(entry.url, 'postgres'), { max: 2, idleTimeout: 60 })
      this.adminPools.set(name, pool)
    }
    return pool
  }

  async close (): Promise<void> {
    await this.unlisten?.()
    await Promise.all([...this.adminPools.values()].map(async (p) => { await p.end({ timeout: 5 }) }))
    this.adminPools.clear()
  }
}
