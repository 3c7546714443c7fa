import type { Sql } from '../db/connection.js'

/** Receives a commit position (or why it could not be read). */
export type PositionCallback = (err: unknown, lsn: string | undefined) => void

/** Per server: whether a query is running, and the callers waiting for the next one. */
interface Clock { running: boolean, next: PositionCallback[] }

const QUERY = 'SELECT pg_catalog.pg_current_wal_insert_lsn()::text AS lsn'

/**
 * The WAL position a write response carries (`X-Rocket-Commit-LSN`, docs/ARCHITECTURE.md, "Read
 * replicas"): `pg_current_wal_insert_lsn()` read on the app's server after the write committed,
 * so it is at or past the commit record (the position inside the transaction would be before
 * it, and a replica there would not show the write yet). Concurrent writes share the reading:
 * a caller joins the next query to start (never one that started before its commit), so a busy
 * server answers many writes with one query at a time. Callers wait as plain callbacks in a
 * list per query — no promise per write: this runs after every write request.
 */
export class WalPosition {
  private readonly clocks = new Map<string, Clock>()
  /** Positions asked for and queries run (how much the sharing saves). */
  readonly stats = { asked: 0, queries: 0 }

  constructor (private readonly sqlOf: (server: string) => Sql) {}

  /** Calls `done` with a position at or past every commit on `server` that finished before this call. */
  request (server: string, done: PositionCallback): void {
    this.stats.asked++
    let clock = this.clocks.get(server)
    if (clock === undefined) {
      clock = { running: false, next: [] }
      this.clocks.set(server, clock)
    }
    clock.next.push(done)
    if (!clock.running) this.start(clock, server)
  }

  /** `request` as a promise. */
  async after (server: string): Promise<string> {
    return await new Promise((resolve, reject) => {
      this.request(server, (err, lsn) => { if (lsn === undefined) reject(err); else resolve(lsn) })
    })
  }

  /** Runs one query for every caller waiting now; callers arriving meanwhile wait for the next. */
  private start (clock: Clock, server: string): void {
    const waiting = clock.next
    clock.next = []
    clock.running = true
    this.stats.queries++
    const settle = (err: unknown, lsn: string | undefined): void => {
      clock.running = false
      // Every caller is answered even if one throws; the first error then surfaces as it would from a promise callback.
      let thrown: { err: unknown } | null = null
      for (const done of waiting) {
        try { done(err, lsn) } catch (e) { thrown ??= { err: e } }
      }
      if (clock.next.length > 0) this.start(clock, server)
      if (thrown !== null) { const { err: e } = thrown; queueMicrotask(() => { throw e }) }
    }
    let query: Promise<Array<{ lsn: string }>>
    try {
      query = this.sqlOf(server).unsafe<Array<{ lsn: string }>>(QUERY, [], { prepare: true })
    } catch (err) {
      settle(err, undefined)
      return
    }
    query.then((rows) => {
      const lsn = rows[0]?.lsn
      settle(lsn === undefined ? new Error('no WAL position') : null, lsn)
    }, (err: unknown) => { settle(err, undefined) })
  }
}
