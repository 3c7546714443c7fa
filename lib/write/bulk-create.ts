import type { CompiledEntity } from '../metadata/compiled.js'
import { atIndex, runAll } from './batch.js'
import { collectNodes, inUnit, newUnit } from './execute.js'
import { hasSideEffects, needsAfterRow, readsBeforeWrite, runAfterCommit, runBeforeWrite, type WriteHooks, type WriteNode, type WriteUnit } from './hooks.js'
import { BatchInsertFailed, groupsOf, insertGroups, isCreateTree, writeLevels, type Group } from './levels.js'
import { newPlanContext, planFlatCreate, planRoot, type PlanContext } from './plan.js'
import { createRecord } from './record.js'
import type { Row } from './sql.js'
import type { PlanNode, WriteDeps } from './types.js'
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
