import type { AppContext } from '../apps/context.js'
import type { EventRow } from './types.js'

/** Where write failures are reported (events are best effort: a failed batch is dropped). */
export interface BufferLogger {
  warn: (obj: unknown, msg?: string) => void
}

export interface EventBufferOptions {
  flushIntervalMs: number
  /** Buffered events of one app that start a flush at once; also the rows per INSERT. */
  batchSize: number
  /** Events kept per app while the database is not keeping up; the oldest beyond are dropped. */
  maxBuffered: number
  /** Writes one batch of one app (one statement). */
  write: (app: AppContext, rows: EventRow[]) => Promise<void>
  /** Where dropped events are reported (none: not reported, only counted). */
  log?: BufferLogger
}

interface Queue {
  app: AppContext
  rows: EventRow[]
  /** The drain under way: one INSERT in flight per app at a time. */
  flushing: Promise<void> | null
}

/**
 * Batches events in memory, per app, and writes them in the background: when an app has
 * `batchSize` events waiting, or `flushIntervalMs` after the first event of a quiet period,
 * with one INSERT per batch. Requests only append to an array; no request waits for the
 * database. Bounded: beyond `maxBuffered` events per app the oldest are dropped (and counted).
 * `close()` writes what is left.
 */
export class EventBuffer {
  /** Events not written: dropped beyond the bound, pushed after close, or in a failed batch. */
  dropped = 0
  /** Events written so far. */
  written = 0
  private readonly opts: EventBufferOptions
  private readonly queues = new Map<AppContext, Queue>()
  private timer: NodeJS.Timeout | null = null
  private closed = false
  private warnedAt = 0

  constructor (opts: EventBufferOptions) {
    this.opts = opts
  }

  /** Queues events of an app; never blocks and never throws. */
  push (app: AppContext, rows: readonly EventRow[]): void {
    if (this.closed) {
      this.drop(rows.length, 'event buffer closed')
      return
    }
    let q = this.queues.get(app)
    if (q === undefined) {
      q = { app, rows: [], flushing: null }
      this.queues.set(app, q)
    }
    for (const row of rows) q.rows.push(row)
    const excess = q.rows.length - this.opts.maxBuffered
    if (excess > 0) {
      q.rows.splice(0, excess)
      this.drop(excess, 'event buffer full: oldest events dropped')
    }
    if (q.rows.length >= this.opts.batchSize) this.start(q)
    else this.schedule()
  }

  /** Events waiting to be written (all apps). */
  get pending (): number {
    let n = 0
    for (const q of this.queues.values()) n += q.rows.length
    return n
  }

  /** Writes everything buffered so far and waits for it (tests, shutdown). */
  async flush (): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer)
      this.timer = null
    }
    await Promise.all([...this.queues.values()].map(async (q) => { await this.start(q) }))
  }

  /** Stops accepting events and writes the rest; call before the app pools close. */
  async close (): Promise<void> {
    this.closed = true
    await this.flush()
  }

  private schedule (): void {
    if (this.timer !== null) return
    this.timer = setTimeout(() => {
      this.timer = null
      for (const q of this.queues.values()) void this.start(q)
    }, this.opts.flushIntervalMs)
    this.timer.unref()
  }

  /** Starts draining a queue unless a drain is under way (which takes the new rows too). */
  private start (q: Queue): Promise<void> {
    if (q.flushing === null) {
      q.flushing = this.drain(q).finally(() => {
        q.flushing = null
        if (q.rows.length === 0) this.queues.delete(q.app)
        else this.schedule()
      })
    }
    return q.flushing
  }

  private async drain (q: Queue): Promise<void> {
    while (q.rows.length > 0) {
      const batch = q.rows.splice(0, this.opts.batchSize)
      try {
        await this.opts.write(q.app, batch)
        this.written += batch.length
      } catch (err) {
        this.drop(batch.length, 'writing events failed', err, q.app.name)
      }
    }
  }

  /** Counts dropped events; warns at most once per flush interval so a stalled database does not flood the log. */
  private drop (n: number, msg: string, err?: unknown, app?: string): void {
    this.dropped += n
    const now = Date.now()
    if (now - this.warnedAt < this.opts.flushIntervalMs) return
    this.warnedAt = now
    this.opts.log?.warn({ err, app, events: n, dropped: this.dropped }, msg)
  }
}
