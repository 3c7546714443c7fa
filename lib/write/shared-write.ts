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

/** One waiting write: its own statement (the lone path and the retry) and the lane's callback. */
interface Waiting {
  stmt: Statement
  site: ErrorSite
  /** update: the key's canonical text (no two in one statement). */
  key: string
  done: (err: unknown, row: Row | undefined) => void
}

/** Writes of one shape: the statements running and the writes waiting for the next one. */
interface Lane {
  entity: CompiledEntity
  kind: 'insert' | 'update'
  fields: readonly CompiledField[]
  /** update: the field the record is found by. */
  by: CompiledField | undefined
  hooks: readonly WriteHooks[]
  running: number
  waiting: Waiting[]
}

/** The lanes of one pool (an app database's): the shape key is the statement text and the hooks' parameters. */
const lanesByPool = new WeakMap<Queryable, Map<string, Lane>>()

/** How often writes shared a statement, per process (tests and the bench read it). */
export const sharedWriteStats = { statements: 0, shared: 0, rows: 0, retried: 0 }

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

/**
 * Runs one write, sharing the statement with concurrent writes of the same shape (module
 * comment); resolves to the written row as RETURNING gives it (undefined: an update found no
 * live record), or rejects with the error the write alone would have had.
 */
export async function sharedWrite (q: Queryable, write: SingleWrite): Promise<Row | undefined> {
  const { stmt, fields, kind } = write
  if (fields.length === 0 || (kind === 'update' && !canReturnOld())) return (await run(q, stmt, write.site))[0]
  let lanes = lanesByPool.get(q)
  if (lanes === undefined) {
    lanes = new Map()
    lanesByPool.set(q, lanes)
  }
  const ownParams = kind === 'insert' ? fields.length : fields.length + 1
  const laneKey = keyOf(stmt, ownParams)
  let lane = lanes.get(laneKey)
  if (lane === undefined) {
    lane = { entity: write.entity, kind, fields, by: write.by, hooks: write.hooks, running: 0, waiting: [] }
    lanes.set(laneKey, lane)
  }
  const target = lane
  const key = kind === 'update' ? keyText(write.by ?? write.entity.pk, stmt.params[fields.length]) : ''
  return await new Promise<Row | undefined>((resolve, reject) => {
    const waiting: Waiting = { stmt, site: write.site, key, done: (err, row) => { if (err === null) resolve(row); else reject(err) } }
    if (target.running < LANE_STATEMENTS) runAlone(q, target, waiting)
    else target.waiting.push(waiting)
  })
}

/** The statement text and the hooks' parameters: writes sharing a statement must agree on both. */
function keyOf (stmt: Statement, ownParams: number): string {
  let key = stmt.text
  for (let i = ownParams; i < stmt.params.length; i++) key += `\u0000${String(stmt.params[i])}`
  return key
}

/** One write as its own statement, counted as one of the lane's running statements. */
function runAlone (q: Queryable, lane: Lane, w: Waiting): void {
  lane.running++
  sharedWriteStats.statements++
  run(q, w.stmt, w.site).then((rows) => {
    finished(q, lane)
    w.done(null, rows[0])
  }, (err: unknown) => {
    finished(q, lane)
    w.done(err, undefined)
  })
}

/** A lane's statement finished: the writes that waited meanwhile go together in the next. */
function finished (q: Queryable, lane: Lane): void {
  lane.running--
  if (lane.waiting.length === 0) return
  const batch = takeBatch(lane)
  if (batch.length === 1) runAlone(q, lane, batch[0] as Waiting)
  else runShared(q, lane, batch)
}

/** Up to MAX_ROWS waiting writes in arrival order; for updates, at most one per record (the others keep waiting, in order). */
function takeBatch (lane: Lane): Waiting[] {
  if (lane.kind === 'insert') {
    const batch = lane.waiting.length <= MAX_ROWS ? lane.waiting : lane.waiting.slice(0, MAX_ROWS)
    lane.waiting = batch === lane.waiting ? [] : lane.waiting.slice(MAX_ROWS)
    return batch
  }
  const batch: Waiting[] = []
  const left: Waiting[] = []
  const keys = new Set<string>()
  for (const w of lane.waiting) {
    if (batch.length < MAX_ROWS && !keys.has(w.key)) {
      keys.add(w.key)
      batch.push(w)
    } else {
      // A later write of a record already in the batch waits, and so does every write after it for that record.
      keys.add(w.key)
      left.push(w)
    }
  }
  lane.waiting = left
  return batch
}

/** The writes of `batch` in one statement; each gets its row (inserts: in order; updates: by ordinality). */
function runShared (q: Queryable, lane: Lane, batch: readonly Waiting[]): void {
  lane.running++
  sharedWriteStats.statements++
  sharedWriteStats.shared++
  sharedWriteStats.rows += batch.length
  const stmt = sharedStatement(lane, batch)
  q.unsafe<Row[]>(stmt.text, stmt.params as never[], { prepare: true }).then((rows) => {
    finished(q, lane)
    const byPosition = lane.kind === 'insert' ? rows : positioned(rows, batch.length)
    for (let i = 0; i < batch.length; i++) {
      const w = batch[i] as Waiting
      const row = byPosition[i]
      if (row !== undefined) w.done(null, row)
      else if (lane.kind === 'update') again(q, w)
      else w.done(new Error(`${lane.entity.name}: shared insert returned no row`), undefined)
    }
  }, (err: unknown) => {
    finished(q, lane)
    if (!(err instanceof postgres.PostgresError)) {
      for (const w of batch) w.done(err, undefined)
      return
    }
    // Rolled back as a whole: each write again on its own, for its own outcome.
    for (const w of batch) again(q, w)
  })
}

/** A write of a shared statement run again alone, outside the lane (its own outcome). */
function again (q: Queryable, w: Waiting): void {
  sharedWriteStats.retried++
  run(q, w.stmt, w.site).then((rows) => { w.done(null, rows[0]) }, (e: unknown) => { w.done(e, undefined) })
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
function sharedStatement (lane: Lane, batch: readonly Waiting[]): Statement {
  const own = lane.kind === 'insert' ? lane.fields.length : lane.fields.length + 1
  const params: SqlParam[] = []
  const column = new Array<string | null>(batch.length)
  for (let i = 0; i < own; i++) {
    for (let r = 0; r < batch.length; r++) column[r] = asText((batch[r] as Waiting).stmt.params[i] ?? null)
    params.push(textArrayLiteral(column))
  }
  const first = (batch[0] as Waiting).stmt.params
  for (let i = own; i < first.length; i++) params.push(first[i] ?? null)
  const text = rowStatement(lane.entity, lane.kind === 'insert'
    ? { kind: 'insert', fields: lane.fields, unnest: true }
    : { kind: 'update', fields: lane.fields, by: lane.by, unnest: true }, lane.hooks)
  return { text, params }
}

/** A single statement's parameter as the element text of an unnest array (row-sql.ts casts it back per field). */
function asText (p: SqlParam): string | null {
  return p === null || typeof p === 'string' ? p : String(p)
}
