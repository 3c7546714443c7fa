import postgres from 'postgres'

/**
 * Statement lanes: concurrent requests that each need one statement of the same shape share one
 * (docs/ARCHITECTURE.md, "Shared statements"). Used by creates and updates
 * (lib/write/shared-write.ts), nested creates (lib/write/shared-tree.ts) and reads by key
 * (lib/query/shared-get.ts).
 *
 * A lane is one shape of work in one pool. It runs one statement (or unit) at a time
 * (`LANE_STATEMENTS`); a request arriving while it runs waits, and when it finishes, every
 * request that waited goes in ONE unit (the lane's `together`: a multi-row statement, or one
 * transaction). An idle lane runs a request at once on its own (`alone`): sharing only ever
 * replaces waiting, so it adds no latency and changes nothing for a lone client. Under load it
 * pays PostgreSQL's per-statement and per-commit costs and Node's per-query costs once per batch.
 *
 * Each request keeps its own outcome: when a shared unit fails with an error PostgreSQL reported
 * (it rolled the whole unit back), every request of it runs again alone, one after another in
 * arrival order; so does a request the unit gave no row (an update of a missing record: its own
 * 404), unless that is its answer (`noRowIsFinal`: a read). Any other error (a lost connection:
 * the unit may have committed) is every request's error, never retried. A lane with
 * `distinctKeys` runs at most one request per key at a time, so writes of one record apply in
 * arrival order.
 */

/**
 * Statements one lane runs at once: one, while the next batch forms. Measured on 2 cores (bench
 * S4–S6, docs/ARCHITECTURE.md "Shared statements"), two let batches half as big form and cost
 * ~45 % more Node CPU per request; other lanes (entities, users, shapes) still run in parallel.
 */
const LANE_STATEMENTS = 1
/** Requests of one shared unit at most; more waiting requests go in the next one. */
const MAX_BATCH = 500

/** Row as the driver returns it. */
export type LaneRow = Record<string, unknown>

/** One waiting request: how it runs alone (its own path, and the retry) and the lane's callback. */
export interface Waiting {
  /** With `distinctKeys`: the record's canonical key text; '' otherwise. */
  key: string
  alone: () => Promise<LaneRow | undefined>
  done: (err: unknown, row: LaneRow | undefined) => void
}

/** Counts of a kind of lane, per process (tests and the bench read them). */
export interface LaneStats { statements: number, shared: number, rows: number, retried: number }

export function newLaneStats (): LaneStats {
  return { statements: 0, shared: 0, rows: 0, retried: 0 }
}

/** Requests of one shape: the statements running, the requests waiting for the next one, and how a batch runs. */
export interface Lane<W extends Waiting> {
  stats: LaneStats
  /** At most one request per `key` running at a time (writes of one record in arrival order). */
  distinctKeys: boolean
  /** A request the shared unit gave no row has its answer (a read of a missing record), rather than running again alone. */
  noRowIsFinal?: boolean
  /** Runs a batch as one unit; its rows in batch order, undefined where a request got no row (it then runs again alone). */
  together: (batch: readonly W[]) => Promise<Array<LaneRow | undefined>>
}

/** A lane and its state. */
interface LaneState<W extends Waiting> extends Lane<W> {
  running: number
  waiting: W[]
  /** With `distinctKeys`: the keys of the requests running now. */
  busy: Set<string>
  /** Forgets the lane once it is idle (lanes are per user: they must not pile up). */
  forget: () => void
}

/** The lanes of one pool (an app database's, or a replica's), by shape key. */
const lanesByPool = new WeakMap<object, Map<string, LaneState<Waiting>>>()

/**
 * Runs a request in the lane `key` of pool `pool` (made by `make` the first time): at once
 * alone when the lane has room, else with the requests waiting for its next unit. Resolves to
 * the request's row (undefined: none), or rejects with the error it would have had alone.
 */
export async function inLane<W extends Waiting> (pool: object, key: string, make: () => Lane<W>, request: (done: Waiting['done']) => W): Promise<LaneRow | undefined> {
  const lane = laneOf(pool, key, make)
  return await new Promise<LaneRow | undefined>((resolve, reject) => {
    const w = request((err, row) => { if (err === null) resolve(row); else reject(err) })
    if (lane.running < LANE_STATEMENTS && !lane.busy.has(w.key)) runAlone(lane, w)
    else lane.waiting.push(w)
  })
}

function laneOf<W extends Waiting> (pool: object, key: string, make: () => Lane<W>): LaneState<W> {
  let lanes = lanesByPool.get(pool)
  if (lanes === undefined) {
    lanes = new Map()
    lanesByPool.set(pool, lanes)
  }
  const found = lanes.get(key) as LaneState<W> | undefined
  if (found !== undefined) return found
  const map = lanes
  const made: LaneState<W> = {
    ...make(),
    running: 0,
    waiting: [],
    busy: new Set(),
    forget: () => { if (map.get(key) === (made as unknown as LaneState<Waiting>)) map.delete(key) }
  }
  map.set(key, made as unknown as LaneState<Waiting>)
  return made
}

function markBusy (lane: Pick<LaneState<Waiting>, 'distinctKeys' | 'busy'>, batch: readonly Waiting[], busy: boolean): void {
  if (!lane.distinctKeys) return
  for (const w of batch) {
    if (busy) lane.busy.add(w.key)
    else lane.busy.delete(w.key)
  }
}

/** One request on its own, counted as one of the lane's running statements. */
function runAlone<W extends Waiting> (lane: LaneState<W>, w: W): void {
  lane.running++
  lane.stats.statements++
  markBusy(lane, [w], true)
  w.alone().then((row) => {
    markBusy(lane, [w], false)
    finished(lane)
    w.done(null, row)
  }, (err: unknown) => {
    markBusy(lane, [w], false)
    finished(lane)
    w.done(err, undefined)
  })
}

/** A lane's statement finished: the requests that waited meanwhile go together in the next. */
function finished<W extends Waiting> (lane: LaneState<W>): void {
  lane.running--
  if (lane.waiting.length === 0) {
    if (lane.running === 0) lane.forget()
    return
  }
  const batch = takeBatch(lane)
  if (batch.length === 1) runAlone(lane, batch[0] as W)
  else if (batch.length > 1) runShared(lane, batch)
}

/** Up to MAX_BATCH waiting requests in arrival order; with `distinctKeys`, none of a key running or already taken (they keep waiting, in order). */
function takeBatch<W extends Waiting> (lane: LaneState<W>): W[] {
  if (!lane.distinctKeys) {
    const batch = lane.waiting.length <= MAX_BATCH ? lane.waiting : lane.waiting.slice(0, MAX_BATCH)
    lane.waiting = batch === lane.waiting ? [] : lane.waiting.slice(MAX_BATCH)
    return batch
  }
  const batch: W[] = []
  const left: W[] = []
  const keys = new Set<string>(lane.busy)
  for (const w of lane.waiting) {
    if (batch.length < MAX_BATCH && !keys.has(w.key)) batch.push(w)
    // A later request for a key already running or taken waits, and so does every one after it for that key.
    else left.push(w)
    keys.add(w.key)
  }
  lane.waiting = left
  return batch
}

/** Whether a failed shared unit left nothing behind, so its requests may run again alone: PostgreSQL reported the error. */
function rolledBack (err: unknown): boolean {
  if (err instanceof postgres.PostgresError) return true
  const reason = (err as { reason?: unknown } | null)?.reason
  return reason instanceof postgres.PostgresError
}

/** The requests of `batch` as one unit; each gets its row, or runs again alone. */
function runShared<W extends Waiting> (lane: LaneState<W>, batch: readonly W[]): void {
  lane.running++
  lane.stats.statements++
  lane.stats.shared++
  lane.stats.rows += batch.length
  markBusy(lane, batch, true)
  lane.together(batch).then((rows) => {
    markBusy(lane, batch, false)
    finished(lane)
    for (let i = 0; i < batch.length; i++) {
      const w = batch[i] as W
      const row = rows[i]
      if (row !== undefined || lane.noRowIsFinal === true) w.done(null, row)
      else again(lane, w)
    }
  }, (err: unknown) => {
    markBusy(lane, batch, false)
    finished(lane)
    if (!rolledBack(err)) {
      for (const w of batch) w.done(err, undefined)
      return
    }
    // Rolled back as a whole: each request again on its own, for its own outcome, one after
    // another in arrival order (two of them may conflict: the first one wins, as it would alone).
    againInOrder(lane, batch, 0)
  })
}

function againInOrder (lane: Pick<LaneState<Waiting>, 'stats'>, batch: readonly Waiting[], from: number): void {
  const w = batch[from]
  if (w === undefined) return
  lane.stats.retried++
  const next = (): void => { againInOrder(lane, batch, from + 1) }
  w.alone().then((row) => { w.done(null, row); next() }, (e: unknown) => { w.done(e, undefined); next() })
}

/** A request of a shared unit run again alone, outside the lane (its own outcome). */
function again (lane: Pick<LaneState<Waiting>, 'stats'>, w: Waiting): void {
  lane.stats.retried++
  w.alone().then((row) => { w.done(null, row) }, (e: unknown) => { w.done(e, undefined) })
}
