import type { Sql } from '../db/connection.js'

interface Clock { running: Promise<string> | null, queued: Promise<string> | null }

/**
 * The WAL position a write response carries (`X-Rocket-Commit-LSN`, docs/ARCHITECTURE.md, "Read
 * replicas"): `pg_current_wal_insert_lsn()` read on the app's server after the write committed,
 * so it is at or past the commit record (the position inside the transaction would be before
 * it, and a replica there would not show the write yet). Concurrent writes share the reading:
 * a caller joins the next query to start (never one that started before its commit), so a busy
 * server answers many writes with one query at a time.
 */
export class WalPosition {
  private readonly clocks = new Map<string, Clock>()
  /** Positions asked for and queries run (how much the sharing saves). */
  readonly stats = { asked: 0, queries: 0 }

  constructor (private readonly sqlOf: (server: string) => Sql) {}

  /** A position at or past every commit on `server` that finished before this call. */
  async after (server: string): Promise<string> {
    this.stats.asked++
    let clock = this.clocks.get(server)
    if (clock === undefined) {
      clock = { running: null, queued: null }
      this.clocks.set(server, clock)
    }
    return await this.next(clock, server)
  }

  private async next (clock: Clock, server: string): Promise<string> {
    if (clock.running === null) {
      const p = this.read(server).finally(() => { if (clock.running === p) clock.running = null })
      clock.running = p
      return await p
    }
    const running = clock.running
    clock.queued ??= running.then(noop, noop).then(async () => {
      clock.queued = null
      return await this.next(clock, server)
    })
    return await clock.queued
  }

  private async read (server: string): Promise<string> {
    this.stats.queries++
    const [row] = await this.sqlOf(server)<Array<{ lsn: string }>>`SELECT pg_catalog.pg_current_wal_insert_lsn()::text AS lsn`
    if (row === undefined) throw new Error('no WAL position')
    return row.lsn
  }
}

function noop (): void {}
