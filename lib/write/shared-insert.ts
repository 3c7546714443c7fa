import postgres from 'postgres'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import type { WriteHooks } from './hooks.js'
import { rowStatement } from './row-sql.js'
import { run, textArrayLiteral, type ErrorSite, type Queryable, type Row, type SqlParam, type Statement } from './sql.js'

/**
 * Concurrent creates share one INSERT (docs/ARCHITECTURE.md, "Writes: concurrent creates").
 *
 * A plain create (no relation, no slug, no hook work between statements) is one statement with
 * its audit and realtime rows as CTEs. When several requests send such creates of one shape at
 * once — same entity, same written fields, same hook parameters (entity, user) — each paying
 * PostgreSQL's per-statement and per-commit cost, and Node's per-query cost, is most of the
 * work. So creates of one shape form a lane: a lane runs at most `LANE_STATEMENTS` statements
 * at a time; a create arriving while they run waits, and when one finishes, every create that
 * waited goes in ONE `INSERT … SELECT FROM unnest(…)` (the bulk create's statement, audit and
 * change rows multi-row too), committed on its own like the single statement would be. An idle
 * lane runs a create at once as its own statement: batching only ever replaces waiting, so it
 * adds no latency and changes nothing for a lone client.
 *
 * The rows of a shared INSERT commit together, yet each is its own request: when the INSERT
 * fails PostgreSQL has rolled all of it back (one statement is atomic), and every create of it
 * runs again alone, so each gets exactly the outcome — the row, or the error naming its field
 * and index — it would have had alone. Only an error PostgreSQL reported is retried: after a
 * lost connection the INSERT may have committed, and running it again could write twice.
 */

/** Statements one lane runs at once: one executing while the next batch forms (and a second on a spare core). */
const LANE_STATEMENTS = 2
/** Rows of one shared INSERT at most; more waiting creates go in the next one. */
const MAX_ROWS = 500

/** One waiting create: its own statement (the lone path and the retry) and the lane's callback. */
interface Waiting {
  stmt: Statement
  site: ErrorSite
  done: (err: unknown, row: Row | undefined) => void
}

/** Creates of one shape: the statements running and the creates waiting for the next one. */
interface Lane {
  entity: CompiledEntity
  fields: readonly CompiledField[]
  hooks: readonly WriteHooks[]
  running: number
  waiting: Waiting[]
}

/** The lanes of one pool (an app database's): the shape key is the statement text and the hooks' parameters. */
const lanesByPool = new WeakMap<Queryable, Map<string, Lane>>()

/** How often creates shared a statement, per process (tests and the bench read it). */
export const sharedInsertStats = { statements: 0, shared: 0, rows: 0, retried: 0 }

/** What one create writes: its single-row statement (fields first, then the hooks' parameters). */
export interface SingleInsert {
  entity: CompiledEntity
  /** The written fields, in the statement's order (`stmt.params` starts with their values). */
  fields: readonly CompiledField[]
  hooks: readonly WriteHooks[]
  stmt: Statement
  site: ErrorSite
}

/**
 * Inserts one row, sharing the INSERT with concurrent creates of the same shape (module
 * comment); resolves to the written row as RETURNING gives it, or rejects with the error the
 * create alone would have had.
 */
export async function sharedInsert (q: Queryable, insert: SingleInsert): Promise<Row | undefined> {
  const { stmt, fields } = insert
  if (fields.length === 0) return (await run(q, stmt, insert.site))[0]
  let lanes = lanesByPool.get(q)
  if (lanes === undefined) {
    lanes = new Map()
    lanesByPool.set(q, lanes)
  }
  const key = laneKey(stmt, fields.length)
  let lane = lanes.get(key)
  if (lane === undefined) {
    lane = { entity: insert.entity, fields: insert.fields, hooks: insert.hooks, running: 0, waiting: [] }
    lanes.set(key, lane)
  }
  const target = lane
  return await new Promise<Row | undefined>((resolve, reject) => {
    const waiting: Waiting = { stmt, site: insert.site, done: (err, row) => { if (err === null) resolve(row); else reject(err) } }
    if (target.running < LANE_STATEMENTS) runAlone(q, target, waiting)
    else target.waiting.push(waiting)
  })
}

/** The statement text and the hooks' parameters: creates sharing an INSERT must agree on both. */
function laneKey (stmt: Statement, ownParams: number): string {
  let key = stmt.text
  for (let i = ownParams; i < stmt.params.length; i++) key += `\u0000${String(stmt.params[i])}`
  return key
}

/** One create as its own statement, counted as one of the lane's running statements. */
function runAlone (q: Queryable, lane: Lane, w: Waiting): void {
  lane.running++
  sharedInsertStats.statements++
  run(q, w.stmt, w.site).then((rows) => {
    finished(q, lane)
    w.done(null, rows[0])
  }, (err: unknown) => {
    finished(q, lane)
    w.done(err, undefined)
  })
}

/** A lane's statement finished: the creates that waited meanwhile go together in the next. */
function finished (q: Queryable, lane: Lane): void {
  lane.running--
  if (lane.waiting.length === 0) return
  const batch = lane.waiting.length <= MAX_ROWS ? lane.waiting : lane.waiting.slice(0, MAX_ROWS)
  lane.waiting = batch === lane.waiting ? [] : lane.waiting.slice(MAX_ROWS)
  if (batch.length === 1) runAlone(q, lane, batch[0] as Waiting)
  else runShared(q, lane, batch)
}

/** The creates of `batch` in one `INSERT … SELECT FROM unnest(…)`; each gets its row (RETURNING keeps their order). */
function runShared (q: Queryable, lane: Lane, batch: readonly Waiting[]): void {
  lane.running++
  sharedInsertStats.statements++
  sharedInsertStats.shared++
  sharedInsertStats.rows += batch.length
  const stmt = sharedStatement(lane, batch)
  q.unsafe<Row[]>(stmt.text, stmt.params as never[], { prepare: true }).then((rows) => {
    finished(q, lane)
    for (let i = 0; i < batch.length; i++) {
      const row = rows[i]
      ;(batch[i] as Waiting).done(row === undefined ? new Error(`${lane.entity.name}: shared insert returned no row`) : null, row)
    }
  }, (err: unknown) => {
    finished(q, lane)
    if (!(err instanceof postgres.PostgresError)) {
      for (const w of batch) w.done(err, undefined)
      return
    }
    // Rolled back as a whole: each create again on its own, for its own outcome.
    sharedInsertStats.retried += batch.length
    for (const w of batch) run(q, w.stmt, w.site).then((rows) => { w.done(null, rows[0]) }, (e: unknown) => { w.done(e, undefined) })
  })
}

/** The unnest INSERT of a batch: each field's values as one text array literal, then the hooks' parameters (shared by the lane). */
function sharedStatement (lane: Lane, batch: readonly Waiting[]): Statement {
  const { fields } = lane
  const params: SqlParam[] = []
  const column = new Array<string | null>(batch.length)
  for (let i = 0; i < fields.length; i++) {
    for (let r = 0; r < batch.length; r++) column[r] = asText((batch[r] as Waiting).stmt.params[i] ?? null)
    params.push(textArrayLiteral(column))
  }
  const first = (batch[0] as Waiting).stmt.params
  for (let i = fields.length; i < first.length; i++) params.push(first[i] ?? null)
  return { text: rowStatement(lane.entity, { kind: 'insert', fields, unnest: true }, lane.hooks), params }
}

/** A single statement's parameter as the element text of an unnest array (row-sql.ts casts it back per field). */
function asText (p: SqlParam): string | null {
  return p === null || typeof p === 'string' ? p : String(p)
}
