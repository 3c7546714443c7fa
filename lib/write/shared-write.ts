import postgres from 'postgres'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import type { WriteHooks } from './hooks.js'
import { canReturnOld } from '../db/capabilities.js'
import { keyText } from './lookup.js'
import { rowStatement, UNNEST_ORDINAL } from './row-sql.js'
import { run, textArrayLiteral, type ErrorSite, type Queryable, type Row, type SqlParam, type Statement } from './sql.js'

/**
 * Concurrent writes of one shape share one statement (docs/ARCHITECTURE.md, "Writes: concurrent
 * creates and updates").
 *
 * A plain create (no relation, no slug, no hook work between statements), and an update of one
 * record by its key that no hook needs the current row of, are one statement each with their
 * audit and realtime rows as CTEs. When several requests send such writes of one shape at once —
 * same entity, same written fields, same hook parameters (entity, user) — PostgreSQL's
 * per-statement and per-commit cost, and Node's per-query cost, are most of the work. So writes
 * of one shape form a lane: a lane runs at most `LANE_STATEMENTS` statements at a time; a write
 * arriving while they run waits, and when one finishes, every write that waited goes in ONE
 * statement — `INSERT … SELECT FROM unnest(…)` (the bulk create's) or `UPDATE … FROM unnest(…)`,
 * the audit and change rows multi-row too — committed on its own as the single statement would
 * be. An idle lane runs a write at once as its own statement: sharing only ever replaces
 * waiting, so it adds no latency and changes nothing for a lone client.
 *
 * The rows of a shared statement commit together, yet each is its own request: when the
 * statement fails PostgreSQL has rolled all of it back (one statement is atomic), and every write
 * of it runs again alone, so each gets exactly the outcome — the row, or the error naming its
 * field and index — it would have had alone. An update that got no row back (no such live
 * record) also runs again alone, for its own 404. Only an error PostgreSQL reported is retried:
 * after a lost connection the statement may have committed, and running it again could write twice.
 * Updates of one record never share a statement (the second waits for the next one), so they
 * apply in arrival order as they would one by one.
 */

/** Statements one lane runs at once: one executing while the next batch forms (and a second on a spare core). */
const LANE_STATEMENTS = 2
/** Writes of one shared statement at most; more waiting writes go in the next one. */
const MAX_ROWS = 500

/** One waiting write: how it runs alone (its own path, and the retry) and the lane's callback. */
export interface Waiting {
  /** Updates: the key's canonical text (no two in one statement); '' otherwise. */
  key: string
  alone: () => Promise<Row | undefined>
  done: (err: unknown, row: Row | undefined) => void
}

/** Writes of one shape: the statements running, the writes waiting for the next one, and how a batch runs. */
export interface Lane<W extends Waiting> {
  running: number
  waiting: W[]
  /** At most one write per `key` running at a time (updates): a record's writes run in arrival order. */
  distinctKeys: boolean
  /** With `distinctKeys`: the keys of the writes running now. */
  busy?: Set<string>
  /** Runs a batch as one unit; its rows in batch order, undefined where a write got no row (it then runs again alone). */
  together: (batch: readonly W[]) => Promise<Array<Row | undefined>>
  /** Set by `laneOf`: forgets the lane once it is idle (lanes are per user: they must not pile up). */
  forget?: () => void
}

/** The lanes of one pool (an app database's), by shape key. */
const lanesByPool = new WeakMap<Queryable, Map<string, Lane<Waiting>>>()

/** How often writes shared a statement, per process (tests and the bench read it). */
export const sharedWriteStats = { statements: 0, shared: 0, rows: 0, retried: 0 }

/** The lane of `key` in pool `q`, made by `make` the first time. */
export function laneOf<W extends Waiting> (q: Queryable, key: string, make: () => Lane<W>): Lane<W> {
  let lanes = lanesByPool.get(q)
  if (lanes === undefined) {
    lanes = new Map()
    lanesByPool.set(q, lanes)
  }
  let lane = lanes.get(key) as Lane<W> | undefined
  if (lane === undefined) {
    const made = make()
    const pool = lanes
    made.forget = () => { if (pool.get(key) === (made as unknown as Lane<Waiting>)) pool.delete(key) }
    pool.set(key, made as unknown as Lane<Waiting>)
    lane = made
  }
  return lane
}

/** Runs `w` in `lane`: at once alone when the lane has room, else with the writes waiting for its next statement. */
export async function enter<W extends Waiting> (lane: Lane<W>, make: (done: Waiting['done']) => W): Promise<Row | undefined> {
  return await new Promise<Row | undefined>((resolve, reject) => {
    const w = make((err, row) => { if (err === null) resolve(row); else reject(err) })
    if (lane.running < LANE_STATEMENTS && !isBusy(lane, w.key)) runAlone(lane, w)
    else lane.waiting.push(w)
  })
}

/** What one write is alone: its single-row statement (fields first, then for an update the key, then the hooks' parameters). */
export interface SingleWrite {
  entity: CompiledEntity
  kind: 'insert' | 'update'
  /** The written fields, in the statement's order (`stmt.params` starts with their values). */
  fields: readonly CompiledField[]
  /** update: the field the record is found by (`stmt.params[fields.length]` is its value). */
  by?: CompiledField
  hooks: readonly WriteHooks[]
  stmt: Statement
  site: ErrorSite
}

interface StatementWaiting extends Waiting { stmt: Statement }

/**
 * Runs one row write, sharing the statement with concurrent writes of the same shape (module
 * comment); resolves to the written row as RETURNING gives it (undefined: an update found no
 * live record), or rejects with the error the write alone would have had.
 */
export async function sharedWrite (q: Queryable, write: SingleWrite): Promise<Row | undefined> {
  const { stmt, fields, kind, site } = write
  if (fields.length === 0 || (kind === 'update' && !canReturnOld())) return (await run(q, stmt, site))[0]
  const own = kind === 'insert' ? fields.length : fields.length + 1
  const lane = laneOf<StatementWaiting>(q, keyOf(stmt, own), () => ({
    running: 0,
    waiting: [],
    distinctKeys: kind === 'update',
    together: async (batch) => {
      const shared = sharedStatement(write, batch)
      const rows = await q.unsafe<Row[]>(shared.text, shared.params as never[], { prepare: true })
      return kind === 'insert' ? rows : positioned(rows, batch.length)
    }
  }))
  const key = kind === 'update' ? keyText(write.by ?? write.entity.pk, stmt.params[fields.length]) : ''
  return await enter(lane, (done) => ({ key, stmt, done, alone: async () => (await run(q, stmt, site))[0] }))
}

/** The statement text and the hooks' parameters: writes sharing a statement must agree on both. */
function keyOf (stmt: Statement, ownParams: number): string {
  let key = stmt.text
  for (let i = ownParams; i < stmt.params.length; i++) key += `\u0000${String(stmt.params[i])}`
  return key
}

/** Whether a write of this key runs now (a later one waits for it: same record, arrival order). */
function isBusy (lane: Pick<Lane<Waiting>, 'busy'>, key: string): boolean {
  return lane.busy !== undefined && lane.busy.has(key)
}

function markBusy (lane: Pick<Lane<Waiting>, 'distinctKeys' | 'busy'>, batch: readonly Waiting[], busy: boolean): void {
  if (!lane.distinctKeys) return
  lane.busy ??= new Set()
  for (const w of batch) {
    if (busy) lane.busy.add(w.key)
    else lane.busy.delete(w.key)
  }
}

/** One write on its own, counted as one of the lane's running statements. */
function runAlone<W extends Waiting> (lane: Lane<W>, w: W): void {
  lane.running++
  sharedWriteStats.statements++
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

/** A lane's statement finished: the writes that waited meanwhile go together in the next. */
function finished<W extends Waiting> (lane: Lane<W>): void {
  lane.running--
  if (lane.waiting.length === 0) {
    if (lane.running === 0) lane.forget?.()
    return
  }
  const batch = takeBatch(lane)
  if (batch.length === 1) runAlone(lane, batch[0] as W)
  else if (batch.length > 1) runShared(lane, batch)
}

/** Up to MAX_ROWS waiting writes in arrival order; with `distinctKeys`, at most one per key (the others keep waiting, in order). */
function takeBatch<W extends Waiting> (lane: Lane<W>): W[] {
  if (!lane.distinctKeys) {
    const batch = lane.waiting.length <= MAX_ROWS ? lane.waiting : lane.waiting.slice(0, MAX_ROWS)
    lane.waiting = batch === lane.waiting ? [] : lane.waiting.slice(MAX_ROWS)
    return batch
  }
  const batch: W[] = []
  const left: W[] = []
  // Keys running now count as taken: their next write waits for them.
  const keys = new Set<string>(lane.busy)
  for (const w of lane.waiting) {
    if (batch.length < MAX_ROWS && !keys.has(w.key)) batch.push(w)
    // A later write of a record already in the batch waits, and so does every write after it for that record.
    else left.push(w)
    keys.add(w.key)
  }
  lane.waiting = left
  return batch
}

/** Whether a failed shared unit left nothing behind and its writes may run again alone: PostgreSQL reported the error (rolled back). */
function rolledBack (err: unknown): boolean {
  if (err instanceof postgres.PostgresError) return true
  const reason = (err as { reason?: unknown } | null)?.reason
  return reason instanceof postgres.PostgresError
}

/** The writes of `batch` as one unit; each gets its row, or runs again alone. */
function runShared<W extends Waiting> (lane: Lane<W>, batch: readonly W[]): void {
  lane.running++
  sharedWriteStats.statements++
  sharedWriteStats.shared++
  sharedWriteStats.rows += batch.length
  markBusy(lane, batch, true)
  lane.together(batch).then((rows) => {
    markBusy(lane, batch, false)
    finished(lane)
    for (let i = 0; i < batch.length; i++) {
      const w = batch[i] as W
      const row = rows[i]
      if (row !== undefined) w.done(null, row)
      else again(w)
    }
  }, (err: unknown) => {
    markBusy(lane, batch, false)
    finished(lane)
    if (!rolledBack(err)) {
      for (const w of batch) w.done(err, undefined)
      return
    }
    // Rolled back as a whole: each write again on its own, for its own outcome.
    for (const w of batch) again(w)
  })
}

/** A write of a shared unit run again alone, outside the lane (its own outcome). */
function again (w: Waiting): void {
  sharedWriteStats.retried++
  w.alone().then((row) => { w.done(null, row) }, (e: unknown) => { w.done(e, undefined) })
}

/** An unnest update's rows by the position of their values (`UNNEST_ORDINAL`, 1-based); holes for keys that matched no row. */
function positioned (rows: readonly Row[], count: number): Array<Row | undefined> {
  const out = new Array<Row | undefined>(count)
  for (const row of rows) {
    const at = Number(row[UNNEST_ORDINAL]) - 1
    delete row[UNNEST_ORDINAL]
    out[at] = row
  }
  return out
}

/** The shared statement of a batch: each own parameter's values as one text array literal, then the hooks' parameters (shared by the lane). */
function sharedStatement (write: SingleWrite, batch: readonly StatementWaiting[]): Statement {
  const { kind, fields } = write
  const own = kind === 'insert' ? fields.length : fields.length + 1
  const params: SqlParam[] = []
  const column = new Array<string | null>(batch.length)
  for (let i = 0; i < own; i++) {
    for (let r = 0; r < batch.length; r++) column[r] = asText((batch[r] as StatementWaiting).stmt.params[i] ?? null)
    params.push(textArrayLiteral(column))
  }
  const first = (batch[0] as StatementWaiting).stmt.params
  for (let i = own; i < first.length; i++) params.push(first[i] ?? null)
  const text = rowStatement(write.entity, kind === 'insert'
    ? { kind: 'insert', fields, unnest: true }
    : { kind: 'update', fields, by: write.by, unnest: true }, write.hooks)
  return { text, params }
}

/** A single statement's parameter as the element text of an unnest array (row-sql.ts casts it back per field). */
function asText (p: SqlParam): string | null {
  return p === null || typeof p === 'string' ? p : String(p)
}
