import type { AppContext } from '../apps/context.js'
import type { AppManager } from '../apps/manager.js'
import type { Sql, TransactionSql } from '../db/connection.js'

/** The management database's pool and this process's id: where per-app changes are announced and heard. */
export interface Announcer {
  sql: Sql
  /** Identifies this process in payloads, so it skips its own announcements. */
  instanceId: string
}

/** One NOTIFY to send: a channel and its payload. */
export interface Announcement {
  channel: string
  payload: string
}

interface ChannelSpec<T> {
  channel: string
  /** The empty state of an app in this process. */
  create: () => T
  /** Applies another process's change: the payload's fields after the app name. */
  apply: (state: T, fields: string[]) => void
  /** Brings an app's state up to date from its database (first use, and after a LISTEN reconnect). */
  resync: (app: AppContext, state: T) => Promise<void> | void
}

/**
 * Per-app state every process keeps in memory and others keep current by NOTIFY on one channel
 * of the management database (docs/ARCHITECTURE.md, "Across processes"): token versions, the
 * user blocklist, the API-key cache. Payloads are `<instance>:<app>:<fields…>` (fields without
 * `:`); a process skips its own (it changed its state already) and apps it has not opened (they
 * load their state when they open). A LISTEN reconnect may have lost notifications, so every
 * open app resyncs then.
 */
export class AppChannel<T> {
  private readonly states = new WeakMap<AppContext, T>()
  private readonly primed = new WeakSet<AppContext>()

  constructor (private readonly spec: ChannelSpec<T>) {}

  get channel (): string {
    return this.spec.channel
  }

  /** The app's state in this process (created empty on first use). */
  of (app: AppContext): T {
    let state = this.states.get(app)
    if (state === undefined) {
      state = this.spec.create()
      this.states.set(app, state)
    }
    return state
  }

  /** Loads the app's state from its database once per opened app (later changes arrive by NOTIFY). */
  async prime (app: AppContext): Promise<void> {
    if (this.primed.has(app)) return
    await this.spec.resync(app, this.of(app))
    this.primed.add(app)
  }

  /** The NOTIFY telling other processes about a change of an app's state. */
  announcement (announcer: Announcer, app: string, fields: ReadonlyArray<string | number>): Announcement {
    return { channel: this.spec.channel, payload: [announcer.instanceId, app, ...fields].join(':') }
  }

  /** Sends the announcement at once (outside any transaction). */
  async announce (announcer: Announcer, app: string, fields: ReadonlyArray<string | number>): Promise<void> {
    await notifyAll(announcer.sql, [this.announcement(announcer, app, fields)])
  }

  /** Listens for other processes' changes; returns the function that stops listening. */
  async listen (announcer: Announcer, apps: AppManager, log: { error: (obj: unknown, msg?: string) => void }): Promise<() => Promise<void>> {
    let first = true
    const listener = await announcer.sql.listen(this.spec.channel, (payload) => {
      const [origin, appName, ...fields] = payload.split(':')
      if (origin === announcer.instanceId || appName === undefined) return
      const app = apps.peek(appName)
      if (app !== undefined) this.spec.apply(this.of(app), fields)
    }, () => {
      // Called on every (re)connect; the first is the initial LISTEN.
      if (first) {
        first = false
        return
      }
      void apps.openContexts()
        .then(async (contexts) => { await Promise.all(contexts.map(async (app) => { await this.spec.resync(app, this.of(app)) })) })
        .catch((err: unknown) => { log.error(err, `${this.spec.channel}: resync after reconnect failed`) })
    })
    return async () => { await listener.unlisten().catch(() => {}) }
  }
}

/**
 * Sends several NOTIFYs in one statement: together or not at all. Inside a transaction they are
 * delivered when it commits.
 */
export async function notifyAll (sql: Sql | TransactionSql, announcements: readonly Announcement[]): Promise<void> {
  if (announcements.length === 0) return
  await sql`SELECT pg_notify(c, p) FROM unnest(${announcements.map((a) => a.channel)}::text[], ${announcements.map((a) => a.payload)}::text[]) AS m(c, p)`
}

/**
 * Runs `work` in one transaction of an app database and sends the NOTIFYs it returns from a
 * transaction of the management database, opened before the app's and committed right after
 * it. NOTIFY reaches only listeners of the database it is sent in, and every process listens on
 * the management database (app databases may even live on other servers), so the two cannot be
 * one transaction; ordered this way a unit that fails announces nothing and a NOTIFY that fails
 * undoes the unit. Left open: the management COMMIT failing after the app's (then the other
 * processes catch up on their next LISTEN reconnect, or when the access tokens expire).
 */
export async function commitAnnounced<R> (announcer: Announcer, sql: Sql, work: (tx: TransactionSql) => Promise<{ result: R, announcements: readonly Announcement[] }>): Promise<R> {
  const outcome = await announcer.sql.begin(async (management) => await sql.begin(async (tx) => {
    const { result, announcements } = await work(tx)
    await notifyAll(management, announcements)
    return { result }
  }))
  return (outcome as { result: R }).result
}
