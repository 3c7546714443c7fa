import { appDatabaseUrl } from '../apps/app-database.js'
import type { AppContext } from '../apps/context.js'
import type { AppManager } from '../apps/manager.js'
import { connect, type Sql } from '../db/connection.js'
import type { ServerDirectory } from '../servers/directory.js'
import type { ReplicaHealth } from './health.js'

export interface ReadRouterOptions {
  servers: ServerDirectory
  apps: AppManager
  health: ReplicaHealth
  maxLagMs: number
  poolSize: number
  idleTimeout: number
}

/** Node socket errors and postgres.js connection states: the replica itself is unreachable. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED'])

/**
 * How a failed replica read is handled: `down` (connection failure, shutdown: the replica is
 * skipped until its probe answers), `retry` (this app's database or role is not there yet, or a
 * recovery conflict cancelled the query: the primary answers, the replica stays in use), or
 * null (an error of the query itself: the primary would fail the same way).
 */
export function replicaFailure (err: unknown): 'down' | 'retry' | null {
  const code = (err as { code?: unknown }).code
  if (typeof code !== 'string') return null
  if (CONNECTION_CODES.has(code) || code.startsWith('08') || code.startsWith('57P')) return 'down'
  if (code === '3D000' || code === '28P01' || code === '28000' || code === '40001' || code === '53300') return 'retry'
  return null
}

/**
 * Picks the pool an app's GET is served from (docs/ARCHITECTURE.md, "Read replicas"): a replica
 * of the app's server that the last probe found healthy, under `REPLICA_MAX_LAG_MS` and past the
 * client's `X-Rocket-Min-LSN`, in turn; else the app's own pool. Replica pools (the app's role on
 * the replica's copy of its database) open on first use and close when the app closes here.
 */
export class ReadRouter {
  private readonly pools = new Map<AppContext, Map<string, Sql>>()
  private turn = 0

  constructor (private readonly opts: ReadRouterOptions) {}

  /** The replica URL a read of `app` goes to, or null for the primary. */
  pick (app: AppContext, minLsn: bigint | null): string | null {
    const replicas = this.opts.servers.get(app.server)?.replicas
    if (replicas === undefined || replicas.length === 0) return null
    for (let i = 0; i < replicas.length; i++) {
      const url = replicas[(this.turn + i) % replicas.length] as string
      if (this.opts.health.usable(url, this.opts.maxLagMs, minLsn)) {
        this.turn = (this.turn + i + 1) % replicas.length
        return url
      }
    }
    return null
  }

  /**
   * Runs a read on the chosen pool; a replica failing for a connection error is marked down and
   * the read runs again on the primary (reads have no side effects), so the client sees no error.
   */
  async read<T>(app: AppContext, minLsn: bigint | null, work: (sql: Sql) => Promise<T>): Promise<T> {
    const replica = this.pick(app, minLsn)
    if (replica === null) return await work(app.sql)
    try {
      return await work(this.poolOf(app, replica))
    } catch (err) {
      const failure = replicaFailure(err)
      if (failure === null) throw err
      if (failure === 'down') this.opts.health.markDown(replica)
      return await work(app.sql)
    }
  }

  /** Closes the replica pools of apps no longer open in this process (deleted, closed). */
  prune (): void {
    for (const [ctx, pools] of this.pools) {
      if (this.opts.apps.peek(ctx.name) === ctx) continue
      this.pools.delete(ctx)
      for (const pool of pools.values()) void pool.end({ timeout: 1 }).catch(() => {})
    }
  }

  async close (): Promise<void> {
    const all = [...this.pools.values()].flatMap((m) => [...m.values()])
    this.pools.clear()
    await Promise.all(all.map(async (p) => { await p.end({ timeout: 1 }).catch(() => {}) }))
  }

  private poolOf (app: AppContext, replica: string): Sql {
    let pools = this.pools.get(app)
    if (pools === undefined) {
      pools = new Map()
      this.pools.set(app, pools)
    }
    let pool = pools.get(replica)
    if (pool === undefined) {
      // Roles and databases are replicated: the app's role logs in to its database's copy.
      pool = connect(appDatabaseUrl(replica, app.dbName, this.opts.apps.roleOf(app.dbName)), { max: this.opts.poolSize, idleTimeout: this.opts.idleTimeout })
      pools.set(replica, pool)
    }
    return pool
  }
}
