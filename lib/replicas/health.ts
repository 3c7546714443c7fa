import { connect, withDatabase, type Sql } from '../db/connection.js'
import { endpointOf } from '../servers/urls.js'
import { parseLsn } from './lsn.js'

/** What a replica looked like at its last probe (`GET /api/_platform/servers`). */
export interface ReplicaStatus {
  healthy: boolean
  lag_ms: number | null
  replay_lsn: string | null
}

interface Sample { at: number, received: bigint }

interface ReplicaState {
  url: string
  pool: Sql
  healthy: boolean
  lagMs: number | null
  replayed: bigint | null
  replayedText: string | null
  /** Probe times and the WAL received by then, not yet replayed at the last probe (oldest first). */
  samples: Sample[]
  /** Time of the newest probe whose received WAL is entirely replayed: the data is at most this old. */
  caughtUpAt: number | null
  probing: boolean
}

interface ProbeRow { standby: boolean, received: string | null, replayed: string | null, receiver: boolean }

/** Samples kept while replay is stuck; dropping older ones only overestimates the lag. */
const MAX_SAMPLES = 600
const PROBE_CONNECT_TIMEOUT_S = 2

export interface ReplicaHealthOptions {
  intervalMs: number
  log: { warn: (msg: string) => void, info: (msg: string) => void }
  /** Clock (tests). */
  now?: () => number
}

/**
 * Background probe of every known replica (docs/ARCHITECTURE.md, "Read replicas"): each interval,
 * one query per replica reads whether it is a streaming standby and its received and replayed
 * WAL positions. Lag is measured in WAL, not in time since the last replayed transaction (an
 * idle primary would make that grow forever): the lag is how long ago the newest probe was whose
 * received WAL the replica has now replayed (0 when it has replayed all it received). Requests
 * never query a replica's health; they read the last probe's verdict.
 */
export class ReplicaHealth {
  private readonly replicas = new Map<string, ReplicaState>()
  private timer: NodeJS.Timeout | null = null
  private readonly now: () => number

  constructor (private readonly opts: ReplicaHealthOptions) {
    this.now = opts.now ?? Date.now
  }

  /** Follows the set of replica URLs (servers registered in any process). */
  setReplicas (urls: readonly string[]): void {
    const wanted = new Set(urls)
    for (const [url, state] of this.replicas) {
      if (!wanted.has(url)) { this.replicas.delete(url); void state.pool.end({ timeout: 1 }).catch(() => {}) }
    }
    for (const url of wanted) {
      if (this.replicas.has(url)) continue
      const pool = connect(withDatabase(url, 'postgres'), { max: 1, connectTimeout: PROBE_CONNECT_TIMEOUT_S })
      this.replicas.set(url, { url, pool, healthy: false, lagMs: null, replayed: null, replayedText: null, samples: [], caughtUpAt: null, probing: false })
    }
  }

  start (): void {
    if (this.timer !== null) return
    this.timer = setInterval(() => { void this.probeAll() }, this.opts.intervalMs)
    this.timer.unref()
    void this.probeAll()
  }

  /** Probes every replica once (a probe still running is not doubled). */
  async probeAll (): Promise<void> {
    await Promise.all([...this.replicas.values()].map(async (r) => { await this.probe(r) }))
  }

  /**
   * May a read be served by this replica: healthy, lag under `maxLagMs`, and (read-your-writes)
   * it has replayed `minLsn` as of the last probe.
   */
  usable (url: string, maxLagMs: number, minLsn: bigint | null): boolean {
    const r = this.replicas.get(url)
    if (r === undefined || !r.healthy || r.lagMs === null || r.lagMs >= maxLagMs) return false
    return minLsn === null || (r.replayed !== null && r.replayed >= minLsn)
  }

  /** A read failed on it for a connection error: skipped until a probe sees it answer again. */
  markDown (url: string): void {
    const r = this.replicas.get(url)
    if (r === undefined || !r.healthy) return
    r.healthy = false
    this.opts.log.warn(`replica ${endpointOf(url)} failed a read: reads go to the primary until it answers again`)
  }

  statusOf (url: string): ReplicaStatus {
    const r = this.replicas.get(url)
    return { healthy: r?.healthy ?? false, lag_ms: r?.lagMs ?? null, replay_lsn: r?.replayedText ?? null }
  }

  async close (): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    const all = [...this.replicas.values()]
    this.replicas.clear()
    await Promise.all(all.map(async (r) => { await r.pool.end({ timeout: 1 }).catch(() => {}) }))
  }

  private async probe (r: ReplicaState): Promise<void> {
    if (r.probing) return
    r.probing = true
    try {
      // pg_stat_wal_receiver shows other columns to privileged roles only; its pid says a receiver runs.
      const [row] = await r.pool<ProbeRow[]>`SELECT pg_catalog.pg_is_in_recovery() AS standby,
        pg_catalog.pg_last_wal_receive_lsn()::text AS received, pg_catalog.pg_last_wal_replay_lsn()::text AS replayed,
        EXISTS (SELECT 1 FROM pg_catalog.pg_stat_wal_receiver WHERE pid IS NOT NULL AND (status IS NULL OR status = 'streaming')) AS receiver`
      this.record(r, row)
    } catch {
      this.setHealthy(r, false, 'does not answer')
    } finally {
      r.probing = false
    }
  }

  private record (r: ReplicaState, row: ProbeRow | undefined): void {
    if (row === undefined || !row.standby) { this.setHealthy(r, false, 'is not a standby'); return }
    if (!row.receiver) { this.setHealthy(r, false, 'is not streaming from its primary'); return }
    const replayed = row.replayed === null ? null : parseLsn(row.replayed)
    const received = row.received === null ? null : parseLsn(row.received)
    const now = this.now()
    r.replayed = replayed
    r.replayedText = row.replayed
    if (replayed === null) { this.setHealthy(r, false, 'has replayed nothing'); return }
    if (received === null || replayed >= received) {
      r.samples.length = 0
      r.caughtUpAt = now
    } else {
      r.samples.push({ at: now, received })
      while (r.samples.length > 0 && (r.samples[0] as Sample).received <= replayed) r.caughtUpAt = (r.samples.shift() as Sample).at
      if (r.samples.length > MAX_SAMPLES) r.samples.splice(0, r.samples.length - MAX_SAMPLES)
    }
    r.lagMs = r.caughtUpAt === null ? null : now - r.caughtUpAt
    this.setHealthy(r, true, 'answers')
  }

  private setHealthy (r: ReplicaState, healthy: boolean, why: string): void {
    if (!healthy) { r.lagMs = null; r.samples.length = 0; r.caughtUpAt = null }
    if (r.healthy === healthy) return
    r.healthy = healthy
    const message = `replica ${endpointOf(r.url)} ${why}: ${healthy ? 'reads may go to it' : 'reads go to the primary'}`
    if (healthy) this.opts.log.info(message)
    else this.opts.log.warn(message)
  }
}
