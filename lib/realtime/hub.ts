import type { Config } from '../../config/index.js'
import type { AppContext } from '../apps/context.js'
import type { Sql } from '../db/connection.js'
import { startPoller, type Poller } from '../jobs/poller.js'
import { pruneChanges } from './changes.js'
import { AppFeed, type FeedPacing, type StreamCount } from './feed.js'
import type { Subscriber } from './subscriber.js'

/** Realtime settings (config: REALTIME_*). */
export interface RealtimeSettings {
  /** Seconds a change is retained for resuming (`REALTIME_RETENTION`). */
  retentionSeconds: number
  heartbeatMs: number
  maxBuffered: number
  /** How often feeds with subscribers look for changes no NOTIFY announced (a crashed writer, a settling gap). */
  pollIntervalMs: number
  /** How often the retention job runs. */
  pruneIntervalMs: number
  /** How long a feed gathers commits before it reads them (`REALTIME_BATCH_MS`): one read and one write per subscriber per window. */
  batchMs: number
  /** Socket writes per second this process spends on its streams (`REALTIME_WRITES_PER_SECOND`, `FeedPacing`). */
  writesPerSecond: number
}

/** Settings from the configuration (its defaults when a key is missing: lib-level tests build engines without one). */
export function realtimeSettings (config: Partial<Pick<Config, 'realtimeRetention' | 'realtimeHeartbeatMs' | 'realtimeMaxBuffered' | 'realtimePollIntervalMs' | 'realtimePruneIntervalMs' | 'realtimeBatchMs' | 'realtimeWritesPerSecond'>> = {}): RealtimeSettings {
  return {
    retentionSeconds: config.realtimeRetention ?? 24 * 3600,
    heartbeatMs: config.realtimeHeartbeatMs ?? 15_000,
    maxBuffered: config.realtimeMaxBuffered ?? 1000,
    pollIntervalMs: config.realtimePollIntervalMs ?? 1000,
    pruneIntervalMs: config.realtimePruneIntervalMs ?? 10 * 60 * 1000,
    batchMs: config.realtimeBatchMs ?? 20,
    writesPerSecond: config.realtimeWritesPerSecond ?? 10_000
  }
}

export interface HubDeps {
  /** The management database: the NOTIFY channel every process listens on. */
  sql: Sql
  instanceId: string
  apps: () => Promise<AppContext[]>
  /** Whether this context is still the app's open one (false once the app was deleted or reopened). */
  isCurrent: (app: AppContext) => boolean
  log: { error: (obj: unknown, msg?: string) => void }
}

const CHANNEL = 'rocket_changes'
/**
 * How often every stream's credential is re-checked (memory lookups; a dropped API-key cache
 * entry is read again): a revoked key, a deactivated user, an expired token end their streams
 * within this (plus a query) even when no change is being sent.
 */
export const ACCESS_CHECK_MS = 500
/** Any number: the advisory lock key of the retention job in each app database. */
const PRUNE_LOCK = 727_011

/**
 * The process-wide realtime fan-out (docs/ARCHITECTURE.md "Realtime"): one `AppFeed` per app
 * that has subscribers here; commits of this process wake the app's feed at once and are
 * announced to the others with at most one NOTIFY per app per batch window (payload
 * `<instance>:<app>`).
 */
export class RealtimeHub {
  private readonly feeds = new Map<string, AppFeed>()
  private readonly toAnnounce = new Set<string>()
  private announcing = false
  private closing = false
  private listener: { unlisten: () => Promise<void> } | null = null
  private pollers: Poller[] = []
  private accessTimer: NodeJS.Timeout | null = null

  private readonly pacing: FeedPacing
  private readonly streams: StreamCount = { open: 0 }

  constructor (readonly settings: RealtimeSettings, private readonly deps: HubDeps) {
    this.pacing = { batchMs: settings.batchMs, writesPerSecond: settings.writesPerSecond, subscribers: () => this.subscriberCount() }
  }

  /** Open streams of this process, all apps (kept by the feeds: read every batch window). */
  subscriberCount (): number {
    return this.streams.open
  }

  async start (): Promise<void> {
    this.listener = await this.deps.sql.listen(CHANNEL, (payload) => {
      const sep = payload.indexOf(':')
      if (sep < 0 || payload.slice(0, sep) === this.deps.instanceId) return
      this.feeds.get(payload.slice(sep + 1))?.wake()
    })
    const onError = (err: unknown): void => { this.deps.log.error({ err }, 'realtime job failed') }
    this.pollers = [
      startPoller({ intervalMs: this.settings.pollIntervalMs, pass: async () => { this.poll() }, onError }),
      startPoller({ intervalMs: this.settings.pruneIntervalMs, pass: async () => { await this.pruneNow() }, onError })
    ]
    this.accessTimer = setInterval(() => { this.checkAccess() }, ACCESS_CHECK_MS)
    this.accessTimer.unref()
  }

  /** Ends the streams whose credential no longer authenticates (`Subscriber.checkAccess`). */
  checkAccess (): void {
    for (const feed of this.feeds.values()) {
      for (const sub of [...feed.subscribers]) sub.checkAccess()
    }
  }

  get closed (): boolean { return this.closing }

  /** Wakes every feed; the streams of a deleted app end (`reconnect`: the client then gets its 404). */
  private poll (): void {
    for (const [name, feed] of this.feeds) {
      if (this.deps.isCurrent(feed.app)) { feed.wake(); continue }
      this.feeds.delete(name)
      for (const sub of feed.removeAll()) sub.end('reconnect')
    }
  }

  /** Called after every commit that wrote changes in this process; nothing once closed (the others' poll finds the change). */
  changed (app: string): void {
    if (this.closing) return
    this.feeds.get(app)?.wake()
    this.toAnnounce.add(app)
    if (!this.announcing) {
      this.announcing = true
      setImmediate(() => { void this.announce() })
    }
  }

  private async announce (): Promise<void> {
    try {
      while (this.toAnnounce.size > 0) {
        const apps = [...this.toAnnounce]
        this.toAnnounce.clear()
        await Promise.all(apps.map(async (a) => await this.deps.sql.notify(CHANNEL, `${this.deps.instanceId}:${a}`)))
        // At most one NOTIFY per app per batch window: the other processes' feeds gather a window
        // before reading anyway, and a NOTIFY per commit costs every listening backend a wakeup.
        if (this.settings.batchMs > 0) await new Promise((resolve) => setTimeout(resolve, this.settings.batchMs))
      }
    } catch (err) {
      // The others' poll picks the changes up: a lost NOTIFY only delays them.
      this.deps.log.error({ err }, 'realtime NOTIFY failed')
    } finally {
      this.announcing = false
    }
  }

  async subscribe (app: AppContext, sub: Subscriber, lastEventId: number | null): Promise<void> {
    let feed = this.feeds.get(app.name)
    if (feed !== undefined && feed.app !== app) {
      // The app was reopened since: the old feed's streams end as the poll would end them.
      this.feeds.delete(app.name)
      for (const old of feed.removeAll()) old.end('reconnect')
      feed = undefined
    }
    if (feed === undefined) {
      const onError = (err: unknown): void => { this.deps.log.error({ err, app: app.name }, 'realtime feed read failed') }
      feed = new AppFeed(app, { onError, pacing: this.pacing, streams: this.streams })
      this.feeds.set(app.name, feed)
    }
    // A feed whose start failed is dropped with its last subscriber (`remove`).
    await feed.subscribe(sub, lastEventId)
  }

  /** A stream ended: the feed of an app without subscribers stops. */
  remove (sub: Subscriber): void {
    const feed = this.feeds.get(sub.app.name)
    if (feed === undefined) return
    feed.remove(sub)
    if (feed.idle && !this.closing) this.feeds.delete(sub.app.name)
  }

  /** Deletes changes past the retention in every open app; one process per app at a time (advisory lock). */
  async pruneNow (): Promise<number> {
    let deleted = 0
    for (const app of await this.deps.apps()) {
      if (this.closing) break
      try {
        deleted += await app.sql.begin(async (tx) => {
          const [lock] = await tx<Array<{ ok: boolean }>>`SELECT pg_try_advisory_xact_lock(${PRUNE_LOCK}) AS ok`
          return lock?.ok === true ? await pruneChanges(tx as unknown as Sql, this.settings.retentionSeconds) : 0
        })
      } catch (err) {
        this.deps.log.error({ err, app: app.name }, 'realtime retention failed')
      }
    }
    return deleted
  }

  /**
   * Shutdown: every change committed so far is delivered, then each stream ends with
   * `event: reconnect` (the client resumes elsewhere with its last id).
   */
  async close (): Promise<void> {
    if (this.closing) return
    this.closing = true
    if (this.accessTimer !== null) clearInterval(this.accessTimer)
    await Promise.all(this.pollers.map(async (p) => { await p.stop() }))
    await this.listener?.unlisten().catch(() => {})
    for (const feed of this.feeds.values()) {
      await feed.drain()
      for (const sub of feed.removeAll()) sub.end('reconnect')
    }
    this.feeds.clear()
  }
}
