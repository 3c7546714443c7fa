import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import type { WriteHooks } from './hooks.js'
import { canReturnOld } from '../db/capabilities.js'
import { inLane, newLaneStats, type Waiting } from '../db/lanes.js'
import { keyText } from './lookup.js'
import { rowStatement, UNNEST_ORDINAL } from './row-sql.js'
import { paramText, run, textArrayLiteral, type ErrorSite, type Queryable, type Row, type SqlParam, type Statement } from './sql.js'

/**
 * Concurrent creates and updates of one shape share one statement (docs/ARCHITECTURE.md,
 * "Shared statements"; the lanes are lib/db/lanes.ts).
 *
 * A plain create (no relation, no slug, no hook work between statements), and an update of one
 * record by its key that no hook needs the current row of, are one statement each with their
 * audit and realtime rows as CTEs. Writes of one shape — same statement text, same hook
 * parameters (entity, user) — form a lane; the writes that waited while its statements ran go in
 * ONE statement: `INSERT … SELECT FROM unnest(…)` (the bulk create's) or, on PostgreSQL 18,
 * `UPDATE … FROM unnest(…) WITH ORDINALITY`, the audit and change rows multi-row too, committed
 * on its own as the single statement would be. Updates of one record never share a statement
 * and run in arrival order (`distinctKeys`).
 */

/** How often writes shared a statement or a unit, per process (tests and the bench read it). */
export const sharedWriteStats = newLaneStats()

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
  const key = kind === 'update' ? keyText(write.by ?? write.entity.pk, stmt.params[fields.length]) : ''
  return await inLane<StatementWaiting>(q, keyOf(stmt, own), () => ({
    stats: sharedWriteStats,
    distinctKeys: kind === 'update',
    together: async (batch) => {
      const shared = sharedStatement(write, batch)
      const rows = await q.unsafe<Row[]>(shared.text, shared.params as never[], { prepare: true })
      return kind === 'insert' ? rows : positioned(rows, batch.length)
    }
  }), (done) => ({ key, stmt, done, alone: async () => (await run(q, stmt, site))[0] }))
}

/** The statement text and the hooks' parameters: writes sharing a statement must agree on both. */
function keyOf (stmt: Statement, ownParams: number): string {
  let key = stmt.text
  for (let i = ownParams; i < stmt.params.length; i++) key += `\u0000${String(stmt.params[i])}`
  return key
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
    for (let r = 0; r < batch.length; r++) column[r] = paramText((batch[r] as StatementWaiting).stmt.params[i] ?? null)
    params.push(textArrayLiteral(column))
  }
  const first = (batch[0] as StatementWaiting).stmt.params
  for (let i = own; i < first.length; i++) params.push(first[i] ?? null)
  const text = rowStatement(write.entity, kind === 'insert'
    ? { kind: 'insert', fields, unnest: true }
    : { kind: 'update', fields, by: write.by, unnest: true }, write.hooks)
  return { text, params }
}
