import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import { atIndex, runAll } from './batch.js'
import { BatchInsertFailed, collectNodes, inUnit, newUnit } from './execute.js'
import { hasSideEffects, needsAfterRow, readsBeforeWrite, runAfterCommit, runAfterRow, runBeforeWrite, type WriteHooks, type WriteNode, type WriteUnit } from './hooks.js'
import { newPlanContext, planFlatCreate, planRoot, type PlanContext } from './plan.js'
import { createRecord } from './record.js'
import { rowSqlParams, rowStatement } from './row-sql.js'
import { textArrayLiteral, toParam, type Queryable, type Row, type SqlParam, type Statement } from './sql.js'
import type { ExecContext, PlanNode, WriteDeps } from './types.js'
import { rememberWrittenChildren } from './written.js'

/**
 * Bulk create (`POST /:entity` with an array, docs/QUERYING.md "Bulk and batch writes") as
 * multi-row INSERTs: every record is planned and validated first, then every hook's
 * `beforeWrite` runs per record, and each level of the records' trees (the roots, then all their
 * children, then the children's children…) is written with one INSERT per entity and field set,
 * children getting their parent's key from the parent's RETURNING (rows come back in request
 * order). The hooks' row SQL (audit, realtime changes) rides on those statements, so it is
 * multi-row too.
 *
 * When no hook reads the database before the write, `beforeWrite` runs before any transaction
 * (nothing is locked or read on the way: the records are new), and a bulk that is ONE statement
 * (flat records writing the same fields) with no `afterRow` work is sent alone, without
 * BEGIN/COMMIT: one statement is atomic. Otherwise the levels run in one transaction with each
 * record's `afterRow` after its level's INSERT.
 *
 * A multi-row INSERT cannot say which record broke a constraint: on such a failure nothing is
 * kept and the bulk runs again one record at a time (`runAll`), which fails on the same record
 * and names its index. Trees that are not plain creates (a slug, a belongs_to object, an
 * existing child named by key, links) and bulks some hook acts outside the database for take
 * that per-record path from the start.
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

/** Plans every record (one planning context: one timestamp for every auto field of the bulk); a failure names its record. */
async function planAll (ctx: PlanContext, entity: CompiledEntity, items: readonly unknown[]): Promise<PlanNode[]> {
  const plans: PlanNode[] = []
  for (let i = 0; i < items.length; i++) {
    try {
      const body = items[i]
      plans.push(planFlatCreate(ctx, entity, body) ?? await planRoot(ctx, { entity, body, action: 'create' }))
    } catch (err) {
      throw atIndex(err, i, 'record')
    }
  }
  return plans
}

/** Every hook's `beforeWrite` for each record's nodes, in request order; a failure names its record. */
async function beforeWriteAll (hooks: readonly WriteHooks[], perRecord: readonly WriteNode[][], unit: WriteUnit): Promise<void> {
  for (let i = 0; i < perRecord.length; i++) {
    try {
      const pending = runBeforeWrite(hooks, perRecord[i] as WriteNode[], unit)
      if (pending !== undefined) await pending
    } catch (err) {
      throw atIndex(err, i, 'record')
    }
  }
}

/** Every record's nodes in one list (a loop: `Array.prototype.flat` costs ~20 µs on a 100-record bulk). */
function allNodes (perRecord: readonly WriteNode[][]): WriteNode[] {
  const out: WriteNode[] = []
  for (const list of perRecord) for (const node of list) out.push(node)
  return out
}

/** The root rows in request order, each remembering the children it wrote (for the response). */
function rootRows (plans: readonly PlanNode[]): Row[] {
  return plans.map((p) => {
    const row = p.node.row as Row
    rememberWrittenChildren(p, row)
    return row
  })
}

/** Creates every record of `items` (all or nothing) and returns the root rows in request order. */
export async function bulkCreate (deps: WriteDeps, entity: CompiledEntity, items: readonly unknown[]): Promise<Row[]> {
  if (deps.within !== undefined || deps.noBatch === true) return await oneByOne(deps, entity, items)
  const ctx = newPlanContext(deps)
  const plans = await planAll(ctx, entity, items)
  if (!plans.every(isCreateTree)) return await oneByOne(deps, entity, items)
  const hooks = deps.hooks ?? []
  const unit = newUnit(deps, ctx.now)
  const perRecord = plans.map((p) => collectNodes(p))
  const nodes = allNodes(perRecord)
  // Decided before beforeWrite (which would make the call): such a bulk must never run twice.
  if (hasSideEffects(hooks, nodes, unit)) return await oneByOne(deps, entity, items)
  const reads = readsBeforeWrite(hooks, nodes, unit)
  try {
    if (!reads) {
      await beforeWriteAll(hooks, perRecord, unit)
      const alone = loneStatement(plans, hooks, unit)
      if (alone !== null) {
        await insertGroups({ q: deps.sql, hooks, user: unit.user }, [alone])
        await runAfterCommit({ hooks, unit, onError: deps.onHookError }, nodes)
        await unit.flush()
        return rootRows(plans)
      }
    }
    const recordOf = new Map<WriteNode, number>()
    perRecord.forEach((list, i) => { for (const n of list) recordOf.set(n, i) })
    return await inUnit(deps, unit, async (ec) => {
      // A hook reads related rows in beforeWrite: through the unit's transaction.
      if (reads) await beforeWriteAll(hooks, perRecord, unit)
      await writeLevels(ec, plans, recordOf)
      return { result: rootRows(plans), nodes }
    })
  } catch (err) {
    if (!(err instanceof BatchInsertFailed)) throw err
    return await oneByOne(deps, entity, items)
  }
}

/** The one INSERT a bulk of flat records writing the same fields is, when no hook has `afterRow` work; else null. */
function loneStatement (plans: readonly PlanNode[], hooks: readonly WriteHooks[], unit: WriteUnit): Group | null {
  if (!plans.every((p) => p.relations.every((rp) => rp.items.length === 0))) return null
  const roots = plans.map((p) => p.node)
  if (roots.some((n) => needsAfterRow(hooks, n, unit))) return null
  const groups = groupsOf(roots)
  return groups.length === 1 ? groups[0] as Group : null
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
  /** Per field of `entity.fieldList`: whether the group's records write it. */
  has: boolean[]
  nodes: WriteNode[]
  columns: Array<Array<string | null>>
}

/** A statement parameter as text (row-sql.ts casts each element): postgres.js would type an array by its first element. */
function asText (field: CompiledField, value: unknown): string | null {
  const p = toParam(field, value)
  return p === null || typeof p === 'string' ? p : String(p)
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
function groupsOf (nodes: readonly WriteNode[]): Group[] {
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
      ;(g.columns[i] as Array<string | null>).push(asText(f, values[f.name]))
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
async function insertGroups (at: { q: Queryable, hooks: readonly WriteHooks[], user: WriteUnit['user'] }, groups: readonly Group[]): Promise<void> {
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
