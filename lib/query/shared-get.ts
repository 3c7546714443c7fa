import type { Sql } from '../db/connection.js'
import { inLane, newLaneStats, type LaneRow, type Waiting } from '../db/lanes.js'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import { textArrayLiteral } from '../write/sql.js'
import { buildGetManySql } from './sql.js'
import type { SqlCondition, SqlText } from './types.js'

/**
 * Concurrent reads of one record by primary key share one query (docs/ARCHITECTURE.md, "Shared
 * statements"): reads of one entity with the same columns and the same read conditions form a
 * lane (lib/db/lanes.ts); the reads that waited while the lane's queries ran go in one
 * `SELECT … WHERE pk = ANY($1)`, each answered with its row. A read shares only with reads that
 * arrived after it did, so it never sees older data than it would alone.
 */

/** How often reads by key shared a query, per process (tests and the bench read it). */
export const sharedReadStats = newLaneStats()

interface GetWaiting extends Waiting { value: string }

/** A read by primary key: its own statement (`buildGetSql`), and what the shared one needs. */
export interface SingleGet {
  entity: CompiledEntity
  field: CompiledField
  /** The key as bound to `$1` of `single`. */
  value: unknown
  single: SqlText
  where: readonly SqlCondition[] | undefined
  columns: readonly CompiledField[] | undefined
}

function run (sql: Sql, q: SqlText): Promise<LaneRow[]> {
  return sql.unsafe<LaneRow[]>(q.text, q.params as never[], { prepare: true })
}

/** The row of `get`'s record (null: no visible record), read alone or with concurrent reads of the same shape. */
export async function sharedGet (sql: Sql, get: SingleGet): Promise<LaneRow | null> {
  const { entity, field, single, where, columns } = get
  // The rows are matched back by key: a column list without the key is read alone.
  if (columns !== undefined && !columns.includes(field)) return (await run(sql, single))[0] ?? null
  let key = single.text
  for (let i = 1; i < single.params.length; i++) key += `\u0000${JSON.stringify(single.params[i])}`
  const row = await inLane<GetWaiting>(sql, key, () => ({
    stats: sharedReadStats,
    distinctKeys: false,
    noRowIsFinal: true,
    together: async (batch) => {
      const many = buildGetManySql(entity, field, where, columns)
      many.params[0] = textArrayLiteral(batch.map((w) => w.value))
      const rows = await run(sql, many)
      const byKey = new Map<string, LaneRow>()
      for (const r of rows) byKey.set(field.spec.keyText(r[field.name]), r)
      const taken = new Set<string>()
      return batch.map((w) => {
        const r = byKey.get(w.value)
        if (r === undefined) return undefined
        // Two reads of one record: each its own object (a response adds to it).
        if (taken.has(w.value)) return { ...r }
        taken.add(w.value)
        return r
      })
    }
  }), (done) => ({ key: '', value: field.spec.keyText(get.value), done, alone: async () => (await run(sql, single))[0] }))
  return row ?? null
}
