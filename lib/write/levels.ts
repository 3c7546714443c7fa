import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import { atIndex } from './batch.js'
import { runAfterRow, type WriteHooks, type WriteNode, type WriteUnit } from './hooks.js'
import { rowSqlParams, rowStatement } from './row-sql.js'
import { paramText, textArrayLiteral, toParam, type Queryable, type Row, type SqlParam, type Statement } from './sql.js'
import type { ExecContext, PlanNode } from './types.js'

/**
 * Creates written level by level (bulk creates, and concurrent nested creates sharing a unit,
 * shared-write.ts): the records of one depth in multi-row `INSERT … SELECT FROM unnest(…)`s,
 * one per entity and written field set, then their children with the FK from the parent's
 * row. The hooks' row SQL (audit, realtime changes) rides on those statements, multi-row too.
 */

/**
 * Thrown when a multi-row INSERT failed: its error cannot say which record failed, which the
 * client must see (docs/reference.md, "Writing"). The unit rolls back and runs again with one
 * INSERT per record (execute.ts `retryUnbatched`, bulk-create.ts), which fails on the same record
 * and names it.
 */
export class BatchInsertFailed extends Error {
  constructor (readonly reason: unknown) {
    super('multi-row INSERT failed')
  }
}

/** A record that is new, as are all its nested records, written through has_many/has_one only, with no slug to compute. */
export function isCreateTree (plan: PlanNode): boolean {
  if (plan.node.action !== 'create' || plan.key !== undefined || plan.node.entity.def.slug !== undefined) return false
  return plan.relations.every((rp) => (rp.edge.kind === 'has_many' || rp.edge.kind === 'has_one') &&
    rp.removals.length === 0 && rp.links.length === 0 && rp.items.every(isCreateTree))
}

/** Level by level: the records of one depth in multi-row INSERTs, then their children with the FK from the parent's row. */
export async function writeLevels (ec: ExecContext, roots: PlanNode[], recordOf: ReadonlyMap<WriteNode, number>): Promise<void> {
  let level = roots
  while (level.length > 0) {
    await insertLevel(ec, level.map((p) => p.node), recordOf)
    const next: PlanNode[] = []
    for (const parent of level) {
      for (const rp of parent.relations) {
        const parentKey = parent.node.row?.[rp.edge.localKey]
        for (const item of rp.items) {
          item.node.values[rp.edge.remoteKey] = parentKey
          next.push(item)
        }
      }
    }
    level = next
  }
}

/** Nodes of one INSERT: same entity, same written fields; `columns[i]` holds field i's values, row by row. */
export interface Group {
  entity: CompiledEntity
  fields: CompiledField[]
  /** Per field of `entity.fieldList`: whether the group's records write it. */
  has: boolean[]
  nodes: WriteNode[]
  columns: Array<Array<string | null>>
}

/** Whether a record's values write exactly the fields of group `g`. */
function writesFieldsOf (g: Group, values: Record<string, unknown>): boolean {
  const list = g.entity.fieldList
  for (let i = 0; i < list.length; i++) if (Object.hasOwn(values, (list[i] as CompiledField).name) !== g.has[i]) return false
  return true
}

/**
 * The nodes grouped by entity and written field set (in first-seen order), their values column
 * by column. Records of a bulk mostly write the same fields: each is compared with the group of
 * the record before it, and looked up by a key only when it differs.
 */
export function groupsOf (nodes: readonly WriteNode[]): Group[] {
  const byKey = new Map<string, Group>()
  let last: Group | undefined
  for (const node of nodes) {
    const { entity, values } = node
    let g = last !== undefined && last.entity === entity && writesFieldsOf(last, values) ? last : undefined
    if (g === undefined) {
      const has = entity.fieldList.map((f) => Object.hasOwn(values, f.name))
      const key = `${entity.name}|${has.map((h) => (h ? 1 : 0)).join('')}`
      g = byKey.get(key)
      if (g === undefined) {
        const fields = entity.fieldList.filter((_, i) => has[i])
        g = { entity, fields, has, nodes: [], columns: fields.map(() => []) }
        byKey.set(key, g)
      }
    }
    last = g
    g.nodes.push(node)
    for (let i = 0; i < g.fields.length; i++) {
      const f = g.fields[i] as CompiledField
      ;(g.columns[i] as Array<string | null>).push(paramText(toParam(f, values[f.name])))
    }
  }
  return [...byKey.values()]
}

/**
 * The INSERT of a group and its parameters: each column one text array literal, except auto
 * fields holding the same value on every row (the unit's timestamp), sent once (row-sql.ts
 * `uniform`); at least one column stays an array.
 */
function groupStatement (g: Group, hooks: readonly WriteHooks[], user: WriteUnit['user']): Statement {
  const uniform: CompiledField[] = []
  const params: SqlParam[] = []
  g.fields.forEach((f, i) => {
    const column = g.columns[i] as Array<string | null>
    const first = column[0] ?? null
    if (f.def.auto !== undefined && first !== null && uniform.length < g.fields.length - 1 && column.every((v) => v === first)) {
      uniform.push(f)
      params.push(first)
    } else {
      params.push(textArrayLiteral(column))
    }
  })
  const text = rowStatement(g.entity, { kind: 'insert', fields: g.fields, unnest: true, uniform }, hooks)
  return { text, params: [...params, ...rowSqlParams(hooks, { entity: g.entity, user })] }
}

/**
 * One `INSERT … SELECT FROM unnest(…)` per group (one statement text whatever the row count,
 * so it is prepared once per connection), all sent at once (pipelined when `q` is a
 * transaction); each node gets its row (RETURNING keeps request order). A failed INSERT becomes
 * BatchInsertFailed (the per-record rerun names the record).
 */
export async function insertGroups (at: { q: Queryable, hooks: readonly WriteHooks[], user: WriteUnit['user'] }, groups: readonly Group[]): Promise<void> {
  const { q, hooks, user } = at
  const settled = await Promise.allSettled(groups.map(async (g) => {
    if (g.fields.length === 0) {
      // Nothing to unnest: DEFAULT VALUES, one row per statement.
      const text = rowStatement(g.entity, { kind: 'insert', fields: [] }, hooks)
      const rowSqlArgs = rowSqlParams(hooks, { entity: g.entity, user })
      return (await Promise.all(g.nodes.map(async () => await q.unsafe<Row[]>(text, rowSqlArgs as never[], { prepare: true })))).map((r) => r[0])
    }
    const stmt = groupStatement(g, hooks, user)
    // The values travel in the literals now: the columns are not kept while the INSERT waits for a connection.
    g.columns = []
    return await q.unsafe<Row[]>(stmt.text, stmt.params as never[], { prepare: true })
  }))
  const results: Array<Array<Row | undefined>> = []
  for (const s of settled) {
    if (s.status === 'rejected') throw new BatchInsertFailed(s.reason)
    results.push(s.value)
  }
  groups.forEach((g, gi) => {
    const rows = results[gi] ?? []
    g.nodes.forEach((node, i) => {
      const row = rows[i]
      if (row === undefined) throw new Error(`${node.entity.name}: write returned no row`)
      node.row = row
    })
  })
}

/** One level's INSERTs in the unit's transaction, then every node's afterRow in level order. */
async function insertLevel (ec: ExecContext, nodes: readonly WriteNode[], recordOf: ReadonlyMap<WriteNode, number>): Promise<void> {
  await insertGroups({ q: ec.tx, hooks: ec.hooks, user: ec.unit.user }, groupsOf(nodes))
  for (const node of nodes) {
    try {
      await runAfterRow(ec, node)
    } catch (err) {
      // A check of the row as written (a conditional grant, an after_* webhook veto) names its record.
      throw atIndex(err, recordOf.get(node) ?? 0, 'record')
    }
  }
}
