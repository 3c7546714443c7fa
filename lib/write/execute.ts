import { notFound } from '../errors.js'
import { deleteNodes, executeDelete } from './delete.js'
import { hasAfterRow, runAfterCommit, runAfterRow, runBeforeWrite, type WriteNode, type WriteUnit } from './hooks.js'
import { writeLinks } from './links.js'
import { lockRow } from './lookup.js'
import type { PlanContext } from './plan.js'
import { resolveNode } from './resolve.js'
import { applySlug } from './slug.js'
import { columnsOf, insertStatement, run, toParam, updateStatement, type Row } from './sql.js'
import type { ExecContext, PlanNode, RelationPlan, WriteDeps } from './types.js'

/** A fresh per-unit hook context. */
export function newUnit (deps: WriteDeps): WriteUnit {
  return { user: deps.user, registry: deps.registry, state: new Map() }
}

/**
 * Runs a planned create/update as one unit of work: BEGIN → lock the root (update) → resolve
 * (load/lock named rows, ownership, planned deletions) → beforeWrite for every node → writes
 * with afterRow → COMMIT → afterCommit. Any error rolls everything back.
 */
export async function runPlan (deps: WriteDeps, ctx: PlanContext, plan: PlanNode): Promise<Row> {
  const hooks = deps.hooks ?? []
  const unit = newUnit(deps)
  if (isSingleInsert(plan) && !hasAfterRow(hooks)) return await insertAlone(deps, plan, unit)
  let nodes: WriteNode[] = []
  const row = await deps.sql.begin(async (tx) => {
    const ec: ExecContext = { tx, unit, hooks, registry: deps.registry, now: ctx.now, deleting: new Map() }
    if (plan.lookup !== undefined) {
      const old = await lockRow(tx, plan.node.entity, plan.lookup)
      if (old === null) throw notFound(`${plan.node.entity.name} '${plan.lookup.value}' not found`)
      plan.node.old = old
    }
    await resolveNode(ec, plan)
    nodes = collectNodes(plan)
    await runBeforeWrite(hooks, nodes, unit)
    return await writeNode(ec, plan)
  })
  await runAfterCommit({ hooks, unit, onError: deps.onHookError }, nodes)
  return row
}

/** A lone INSERT needs no explicit transaction (one statement is atomic): saves BEGIN/COMMIT round trips. */
function isSingleInsert (plan: PlanNode): boolean {
  return plan.node.action === 'create' && plan.relations.length === 0 && plan.node.entity.def.slug === undefined
}

async function insertAlone (deps: WriteDeps, plan: PlanNode, unit: WriteUnit): Promise<Row> {
  const hooks = deps.hooks ?? []
  const { node } = plan
  await runBeforeWrite(hooks, [node], unit)
  const { fields, params } = columnsOf(node.entity, node.values)
  const rows = await run(deps.sql, { text: insertStatement(node.entity, fields), params }, { entity: node.entity, loc: plan.loc })
  node.row = rows[0] as Row
  await runAfterCommit({ hooks, unit, onError: deps.onHookError }, [node])
  return node.row
}

/** Nodes that will be written, in tree order (parent first); the order beforeWrite sees. */
export function collectNodes (plan: PlanNode, out: WriteNode[] = []): WriteNode[] {
  if (!plan.noop) out.push(plan.node)
  for (const rp of plan.relations) {
    for (const g of rp.deletes) deleteNodes(g, out)
    for (const item of rp.items) collectNodes(item, out)
  }
  return out
}

/** Writes one record and its relations: related parents first (their key is this FK), then the row, then children and links. */
async function writeNode (ec: ExecContext, plan: PlanNode): Promise<Row> {
  for (const rp of plan.relations) {
    if (rp.edge.kind !== 'belongs_to') continue
    const item = rp.items[0]
    if (item === undefined) continue
    const related = await writeNode(ec, item)
    plan.node.values[rp.edge.localKey] = related[rp.edge.remoteKey]
  }
  const row = await writeRow(ec, plan)
  for (const rp of plan.relations) {
    if (rp.edge.kind === 'many_to_many') await writeLinks(ec, rp, { entity: plan.node.entity, row })
    else if (rp.edge.kind !== 'belongs_to') await writeChildren(ec, row, rp)
  }
  return row
}

async function writeRow (ec: ExecContext, plan: PlanNode): Promise<Row> {
  const { node } = plan
  const { entity, old } = node
  if (plan.noop && old !== null) return old
  await applySlug(ec.tx, node, plan.loc)
  const { fields, params } = columnsOf(entity, node.values)
  const site = { entity, loc: plan.loc }
  let row: Row | undefined
  if (node.action === 'create') {
    row = (await run(ec.tx, { text: insertStatement(entity, fields), params }, site))[0]
  } else if (old !== null && fields.length > 0) {
    params.push(toParam(entity.pk, old[entity.pk.name]))
    row = (await run(ec.tx, { text: updateStatement(entity, fields), params }, site))[0]
  } else {
    row = old ?? undefined
  }
  if (row === undefined) throw new Error(`${entity.name}: write returned no row`)
  node.row = row
  await runAfterRow(ec, node)
  return row
}

/** has_many / has_one: planned deletions first (frees one_to_one slots), then children with the parent's key as FK. */
async function writeChildren (ec: ExecContext, parentRow: Row, rp: RelationPlan): Promise<void> {
  for (const g of rp.deletes) await executeDelete(ec, g)
  const parentKey = parentRow[rp.edge.localKey]
  const fk = rp.edge.remoteKey
  for (const item of rp.items) {
    const { node } = item
    if (node.action === 'create' || (node.old !== null && node.old[fk] === null)) node.values[fk] = parentKey
    await writeNode(ec, item)
  }
}
