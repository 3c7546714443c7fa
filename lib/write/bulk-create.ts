import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import { atIndex, runAll } from './batch.js'
import { BatchInsertFailed, collectNodes, inUnit, newUnit } from './execute.js'
import { hasSideEffects, runAfterRow, runBeforeWrite, type WriteNode } from './hooks.js'
import { newPlanContext, planRoot } from './plan.js'
import { createRecord } from './record.js'
import { rowSqlParams, rowStatement } from './row-sql.js'
import { columnsOf, type Row } from './sql.js'
import type { ExecContext, PlanNode, WriteDeps } from './types.js'
import { rememberWrittenChildren } from './written.js'

/**
 * Bulk create (`POST /:entity` with an array, docs/QUERYING.md "Bulk and batch writes") as
 * multi-row INSERTs: every record is planned and validated first, then, in ONE transaction,
 * every hook's `beforeWrite` runs per record, and each level of the records' trees (the roots,
 * then all their children, then the children's children…) is written with one INSERT per
 * entity and field set, children getting their parent's key from the parent's RETURNING
 * (rows come back in VALUES order). The hooks' row SQL (audit, realtime changes) rides on those
 * statements, so it is multi-row too. A multi-row INSERT cannot say which record broke a
 * constraint: on such a failure the transaction rolls back and the bulk runs again one record
 * at a time (`runAll`), which fails on the same record and names its index. Trees that are not
 * plain creates (a slug, a belongs_to object, an existing child named by key, links) and bulks
 * some hook acts outside the database for take that per-record path from the start.
 */

/** The per-record path: each record a full create joined to one transaction, failures naming their index. */
async function oneByOne (deps: WriteDeps, entity: CompiledEntity, items: readonly unknown[]): Promise<Row[]> {
  return await runAll(deps, items, 'record', async (item, joined) => await createRecord(joined, entity, item))
}

/** A record that is new, as are all its nested records, written through has_many/has_one only, with no slug to compute. */
function isCreateTree (plan: PlanNode): boolean {
  if (plan.node.action !== 'create' || plan.key !== undefined || plan.node.entity.def.slug !== undefined) return false
  return plan.relations.every((rp) => (rp.edge.kind === 'has_many' || rp.edge.kind === 'has_one') &&
    rp.removals.length === 0 && rp.links.length === 0 && rp.items.every(isCreateTree))
}

/** Creates every record of `items` (all or nothing) and returns the root rows in request order. */
export async function bulkCreate (deps: WriteDeps, entity: CompiledEntity, items: readonly unknown[]): Promise<Row[]> {
  if (deps.within !== undefined || deps.noBatch === true) return await oneByOne(deps, entity, items)
  // One planning context: one timestamp for every auto field of the bulk, as for one unit.
  const ctx = newPlanContext(deps)
  const plans: PlanNode[] = []
  for (let i = 0; i < items.length; i++) {
    try {
      plans.push(await planRoot(ctx, { entity, body: items[i], action: 'create' }))
    } catch (err) {
      throw atIndex(err, i, 'record')
    }
  }
  if (!plans.every(isCreateTree)) return await oneByOne(deps, entity, items)
  const hooks = deps.hooks ?? []
  const unit = newUnit(deps, ctx.now)
  const perRecord = plans.map((p) => collectNodes(p))
  // Decided before beforeWrite (which would make the call): such a bulk must never run twice.
  if (hasSideEffects(hooks, perRecord.flat(), unit)) return await oneByOne(deps, entity, items)
  try {
    return await inUnit(deps, unit, async (ec) => {
      for (let i = 0; i < perRecord.length; i++) {
        try {
          await runBeforeWrite(hooks, perRecord[i] as WriteNode[], unit)
        } catch (err) {
          throw atIndex(err, i, 'record')
        }
      }
      const recordOf = new Map<WriteNode, number>()
      perRecord.forEach((nodes, i) => { for (const n of nodes) recordOf.set(n, i) })
      await writeLevels(ec, plans, recordOf)
      const rows = plans.map((p) => {
        const row = p.node.row as Row
        rememberWrittenChildren(p, row)
        return row
      })
      return { result: rows, nodes: perRecord.flat() }
    })
  } catch (err) {
    if (!(err instanceof BatchInsertFailed)) throw err
    return await oneByOne(deps, entity, items)
  }
}

/** Level by level: the records of one depth in multi-row INSERTs, then their children with the FK from the parent's row. */
async function writeLevels (ec: ExecContext, roots: PlanNode[], recordOf: ReadonlyMap<WriteNode, number>): Promise<void> {
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
interface Group {
  entity: CompiledEntity
  fields: CompiledField[]
  nodes: WriteNode[]
  columns: Array<Array<string | null>>
}

function groupsOf (nodes: readonly WriteNode[]): Group[] {
  const groups = new Map<string, Group>()
  for (const node of nodes) {
    const { fields, params } = columnsOf(node.entity, node.values)
    const key = `${node.entity.name}|${fields.map((f) => f.name).join(',')}`
    let g = groups.get(key)
    if (g === undefined) {
      g = { entity: node.entity, fields, nodes: [], columns: fields.map(() => []) }
      groups.set(key, g)
    }
    g.nodes.push(node)
    // As text (row-sql.ts casts each element): postgres.js would type an array by its first element.
    params.forEach((p, i) => g.columns[i]?.push(p === null || typeof p === 'string' ? p : String(p)))
  }
  return [...groups.values()]
}

/**
 * One `INSERT … SELECT FROM unnest(…)` per group (one statement text whatever the row count,
 * so it is prepared once per connection), all sent at once (pipelined in the transaction);
 * then every node's afterRow in level order. A failed INSERT becomes BatchInsertFailed (the
 * per-record rerun names the record).
 */
async function insertLevel (ec: ExecContext, nodes: readonly WriteNode[], recordOf: ReadonlyMap<WriteNode, number>): Promise<void> {
  const groups = groupsOf(nodes)
  const settled = await Promise.allSettled(groups.map(async (g) => {
    const rowSqlArgs = rowSqlParams(ec.hooks, { entity: g.entity, user: ec.unit.user })
    if (g.fields.length === 0) {
      // Nothing to unnest: DEFAULT VALUES, one row per statement.
      const text = rowStatement(g.entity, { kind: 'insert', fields: [] }, ec.hooks)
      return (await Promise.all(g.nodes.map(async () => await ec.tx.unsafe<Row[]>(text, rowSqlArgs as never[], { prepare: true })))).map((r) => r[0])
    }
    const text = rowStatement(g.entity, { kind: 'insert', fields: g.fields, unnest: true }, ec.hooks)
    return await ec.tx.unsafe<Row[]>(text, [...g.columns, ...rowSqlArgs] as never[], { prepare: true })
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
  for (const node of nodes) {
    try {
      await runAfterRow(ec, node)
    } catch (err) {
      // A check of the row as written (a conditional grant, an after_* webhook veto) names its record.
      throw atIndex(err, recordOf.get(node) ?? 0, 'record')
    }
  }
}
