import type { UserContext } from '../apps/context.js'
import type { TransactionSql } from '../db/connection.js'
import { notFound, validationFailed } from '../errors.js'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import { deleteNodes, executeDelete } from './delete.js'
import { hasSideEffects, needsAfterRow, needsOld, runAfterCommit, runAfterRow, runBeforeWrite, type WriteHooks, type WriteNode, type WriteUnit } from './hooks.js'
import { writeLinks } from './links.js'
import { lockRow } from './lookup.js'
import { newPlanContext, planRoot, type PlanContext } from './plan.js'
import { resolveNode } from './resolve.js'
import { transaction } from './transaction.js'
import { rememberWrittenChildren } from './written.js'
import { applySlug } from './slug.js'
import { fitsOneStatement, OneStatementFailed, writeOneStatement } from './one-statement.js'
import { rowSqlParams, rowStatement, splitReturned } from './row-sql.js'
import { BatchInsertFailed } from './levels.js'
import { sharedWrite } from './shared-write.js'
import { columnsOf, run, toParam, type Row, type Statement } from './sql.js'
import type { ExecContext, PlanNode, RecordLookup, RelationPlan, WriteDeps } from './types.js'

/** Records created by hooks of records created by hooks…: beyond this, a cycle in the metadata is assumed. */
export const MAX_NESTED_WRITES = 8

/** A unit of work: the hooks' context plus the after-commit work deferred to it by nested writes. */
interface Unit extends WriteUnit {
  defer: (work: () => Promise<void>) => void
  /** Runs the deferred work (outermost unit only, after its own afterCommit hooks). */
  flush: () => Promise<void>
}

/** A fresh per-unit hook context; `now` is the unit's timestamp. */
export function newUnit (deps: WriteDeps, now: Date = new Date()): Unit {
  const deferred: Array<() => Promise<void>> = []
  const within = deps.within
  const unit: Unit = {
    user: deps.user,
    actor: deps.actor,
    trace: deps.trace,
    registry: deps.registry,
    state: new Map(),
    now,
    sql: deps.sql,
    tx: within?.tx ?? null,
    // A nested unit hands its after-commit work up, so it runs only once the outermost unit commits.
    defer: within?.defer ?? ((work) => { deferred.push(work) }),
    flush: async () => { for (const work of deferred.splice(0)) await work() },
    createRecord: async (entity, body, as) => await createNested(deps, unit, { entity, body, user: as === undefined ? deps.user : as.user })
  }
  return unit
}

/** `WriteUnit.createRecord`: the full create path, joined to the unit's open transaction. */
async function createNested (deps: WriteDeps, unit: Unit, what: { entity: CompiledEntity, body: unknown, user: UserContext | null }): Promise<Row> {
  if (unit.tx === null) throw new Error('createRecord needs the unit\'s open transaction (call it from afterRow)')
  const depth = (deps.within?.depth ?? 0) + 1
  if (depth > MAX_NESTED_WRITES) {
    throw validationFailed(`Records created by hooks nest deeper than ${MAX_NESTED_WRITES} levels (a cycle in the metadata?)`)
  }
  const nested: WriteDeps = { ...deps, user: what.user, within: { tx: unit.tx, defer: unit.defer, depth } }
  const ctx = newPlanContext(nested)
  const plan = await planRoot(ctx, { entity: what.entity, body: what.body, action: 'create' })
  return await runPlan(nested, ctx, plan)
}

/**
 * Runs a planned create/update as one unit of work: BEGIN → lock the root (update) → resolve
 * (load/lock named rows, ownership, planned deletions) → beforeWrite for every node → writes
 * with afterRow → COMMIT → afterCommit. Any error rolls everything back. Inside an enclosing
 * unit (`deps.within`) the same steps run in its transaction and afterCommit waits for its commit.
 */
export async function runPlan (deps: WriteDeps, ctx: PlanContext, plan: PlanNode): Promise<Row> {
  const hooks = deps.hooks ?? []
  const unit = newUnit(deps, ctx.now)
  if (deps.within === undefined && writesAlone(plan, hooks, unit)) return await writeAlone(deps, plan, unit)
  if (fitsOneStatement(deps, plan)) {
    const nodes = collectNodes(plan)
    const row = await writeOneStatement(deps, plan, unit, nodes)
    if (row !== null) {
      rememberWrittenChildren(plan, row)
      return row
    }
  }
  return await inUnit(deps, unit, async (ec) => {
    if (plan.lookup !== undefined) {
      const old = await lockRow(ec.tx, plan.node.entity, plan.lookup)
      if (old === null) throw notFound(`${plan.node.entity.name} '${plan.lookup.value}' not found`)
      plan.node.old = old
    }
    await resolveNode(ec, plan)
    const nodes = collectNodes(plan)
    await runBeforeWrite(hooks, nodes, unit)
    // Only a top-level unit is retried after a failed multi-row INSERT, and only when running it again does nothing outside the database.
    ec.batch = deps.within === undefined && deps.noBatch !== true && !hasSideEffects(hooks, nodes, unit)
    const row = await writeNode(ec, plan)
    rememberWrittenChildren(plan, row)
    return { result: row, nodes }
  })
}

/**
 * The frame of a unit of work: `work` runs in the unit's transaction — its own (BEGIN … COMMIT,
 * rolled back on any error) or the enclosing unit's (`deps.within`) — and returns its result
 * with the nodes it wrote; their afterCommit hooks run once this unit has committed, or, inside
 * an enclosing unit, once that one has.
 */
export async function inUnit<T> (deps: WriteDeps, unit: Unit, work: (ec: ExecContext) => Promise<{ result: T, nodes: WriteNode[] }>): Promise<T> {
  const hooks = deps.hooks ?? []
  let nodes: WriteNode[] = []
  const inTransaction = async (tx: TransactionSql): Promise<T> => {
    unit.tx = tx
    const done = await work({ tx, unit, hooks, registry: deps.registry, now: unit.now, deleting: new Map() })
    nodes = done.nodes
    return done.result
  }
  const afterCommit = async (): Promise<void> => { await runAfterCommit({ hooks, unit, onError: deps.onHookError }, nodes) }
  if (deps.within !== undefined) {
    const result = await inTransaction(deps.within.tx)
    unit.defer(async () => { unit.tx = null; await afterCommit() })
    return result
  }
  const result = await transaction(deps.sql, inTransaction)
  unit.tx = null
  await afterCommit()
  await unit.flush()
  return result
}

/**
 * A write that is one statement with nothing to do before it inside a transaction: a create
 * without relations or slug, or an update of the root record alone that no hook needs the
 * current row of before writing (its UPDATE returns the previous values instead).
 */
function writesAlone (plan: PlanNode, hooks: readonly WriteHooks[], unit: WriteUnit): boolean {
  if (isPlainCreate(plan)) return true
  if (plan.relations.length > 0 || plan.node.entity.def.slug !== undefined) return false
  return plan.node.action === 'update' && plan.lookup !== undefined && !plan.noop && !needsOld(hooks, plan.node, unit)
}

/** A new record with nothing of its own to write first or after (no relations, no slug): `writesAlone` as a root, batchable as a child. */
function isPlainCreate (plan: PlanNode): boolean {
  return plan.node.action === 'create' && plan.relations.length === 0 && plan.node.entity.def.slug === undefined
}

/**
 * Runs a write `writesAlone` accepts: beforeWrite first (there is no row to lock), then the
 * statement alone — one statement is atomic, so no BEGIN/COMMIT round trips — or, when a hook
 * needs `afterRow` for the record, in a transaction with it. An update that matches no live
 * row is NOT_FOUND (after beforeWrite, which could not know).
 */
async function writeAlone (deps: WriteDeps, plan: PlanNode, unit: Unit): Promise<Row> {
  const hooks = deps.hooks ?? []
  const { node } = plan
  await runBeforeWrite(hooks, [node], unit)
  const stmt = rowWrite(hooks, unit, node, plan.lookup)
  const site = { entity: node.entity, loc: plan.loc }
  let returned: Row | undefined
  if (stmt === null) {
    // Hooks removed every value: nothing to write, the answer is the current row.
    returned = (await lockRow(deps.sql, node.entity, plan.lookup as RecordLookup)) ?? undefined
  } else if (!needsAfterRow(hooks, node, unit)) {
    returned = deps.noBatch !== true
      ? await sharedWrite(deps.sql, { entity: node.entity, kind: node.action === 'create' ? 'insert' : 'update', fields: stmt.fields, by: plan.lookup?.field, hooks, stmt, site })
      : (await run(deps.sql, stmt, site))[0]
  } else {
    await transaction(deps.sql, async (tx) => {
      unit.tx = tx
      returned = (await run(tx, stmt, site))[0]
      if (returned === undefined) throw notFoundOf(node, plan.lookup)
      setWritten(node, returned)
      await runAfterRow({ hooks, tx, unit }, node)
    })
    unit.tx = null
  }
  if (returned === undefined) throw notFoundOf(node, plan.lookup)
  if (node.row === undefined) setWritten(node, returned)
  await runAfterCommit({ hooks, unit, onError: deps.onHookError }, [node])
  await unit.flush()
  return node.row as Row
}

function notFoundOf (node: WriteNode, lookup: RecordLookup | undefined): Error {
  return notFound(`${node.entity.name} '${lookup?.value ?? ''}' not found`)
}

/**
 * The INSERT or UPDATE (by `lookup`, else by the loaded row's PK) of a node, with the hooks' SQL,
 * and the fields it writes (its first parameters); null when an update has no field to set.
 */
function rowWrite (hooks: readonly WriteHooks[], unit: WriteUnit, node: WriteNode, lookup?: RecordLookup): (Statement & { fields: CompiledField[] }) | null {
  const { entity } = node
  const { fields, params } = columnsOf(entity, node.values)
  if (node.action === 'create') {
    return { text: rowStatement(entity, { kind: 'insert', fields }, hooks), params: rowSqlParams(hooks, { entity, user: unit.user }, params), fields }
  }
  if (fields.length === 0) return null
  const by = lookup?.field ?? entity.pk
  params.push(lookup !== undefined ? lookup.value : toParam(entity.pk, node.old?.[entity.pk.name]))
  return { text: rowStatement(entity, { kind: 'update', fields, by }, hooks), params: rowSqlParams(hooks, { entity, user: unit.user }, params), fields }
}

/** Records a statement's returned row on the node (and the previous values an update returned, when not loaded before). */
function setWritten (node: WriteNode, returned: Row): void {
  const { row, old } = splitReturned(node.entity, returned)
  node.row = row
  if (node.old === null && node.action !== 'create') node.old = old
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
  const stmt = node.action === 'create' || old !== null ? rowWrite(ec.hooks, ec.unit, node) : null
  const returned = stmt === null ? old ?? undefined : (await run(ec.tx, stmt, { entity, loc: plan.loc }))[0]
  if (returned === undefined) throw new Error(`${entity.name}: write returned no row`)
  if (stmt === null) node.row = returned
  else setWritten(node, returned)
  await runAfterRow(ec, node)
  return node.row as Row
}

/** has_many / has_one: planned deletions first (frees one_to_one slots), then children with the parent's key as FK. */
async function writeChildren (ec: ExecContext, parentRow: Row, rp: RelationPlan): Promise<void> {
  for (const g of rp.deletes) await executeDelete(ec, g)
  const parentKey = parentRow[rp.edge.localKey]
  const fk = rp.edge.remoteKey
  for (const item of rp.items) {
    const { node } = item
    if (node.action === 'create' || (node.old !== null && node.old[fk] === null)) node.values[fk] = parentKey
  }
  if (rp.items.length > 1 && rp.items.every(isPlainCreate)) return await insertSiblings(ec, rp.items)
  for (const item of rp.items) await writeNode(ec, item)
}

/** Children per multi-row INSERT: PostgreSQL takes at most 65535 parameters per statement. */
const MAX_BATCH_PARAMS = 60_000

/**
 * One multi-row INSERT for sibling creates that write the same fields; PostgreSQL returns the
 * rows in VALUES order. False (nothing sent) when the children differ in their fields.
 */
async function insertBatch (ec: ExecContext, items: PlanNode[]): Promise<boolean> {
  const first = items[0]?.node
  if (first === undefined) return true
  const { entity } = first
  const shapes = items.map((item) => columnsOf(entity, item.node.values))
  const fields = shapes[0]?.fields ?? []
  const sameFields = shapes.every((s) => s.fields.length === fields.length && s.fields.every((f, i) => f === fields[i]))
  if (!sameFields || fields.length === 0 || items.length * fields.length > MAX_BATCH_PARAMS) return false
  const text = rowStatement(entity, { kind: 'insert', fields, rows: items.length }, ec.hooks)
  const params = [...shapes.flatMap((s) => s.params), ...rowSqlParams(ec.hooks, { entity, user: ec.unit.user })]
  let rows: Row[]
  try {
    rows = await ec.tx.unsafe<Row[]>(text, params, { prepare: true })
  } catch (err) {
    throw new BatchInsertFailed(err)
  }
  for (let i = 0; i < items.length; i++) {
    const node = (items[i] as PlanNode).node
    const row = rows[i]
    if (row === undefined) throw new Error(`${node.entity.name}: write returned no row`)
    node.row = row
  }
  for (const item of items) await runAfterRow(ec, item.node)
  return true
}

/**
 * Runs a top-level write; after a failed multi-row INSERT or one-statement create, once more from
 * the payload with one INSERT per record, which names the record that fails.
 */
export async function retryUnbatched<T> (deps: WriteDeps, write: (deps: WriteDeps) => Promise<T>): Promise<T> {
  try {
    return await write(deps)
  } catch (err) {
    if (!(err instanceof BatchInsertFailed) && !(err instanceof OneStatementFailed)) throw err
    return await write({ ...deps, noBatch: true })
  }
}

/**
 * New children without relations of their own: their INSERTs do not depend on each other.
 * Children writing the same fields go in one multi-row INSERT (`insertBatch`) when the unit
 * allows it; otherwise one INSERT each, all sent together (one round trip), in payload order,
 * and the first failing INSERT is the error thrown, with its own index (the ones after it fail
 * only because the transaction is aborted). Each child's afterRow hooks then run in order.
 */
async function insertSiblings (ec: ExecContext, items: PlanNode[]): Promise<void> {
  if (ec.batch === true && await insertBatch(ec, items)) return
  const pending = items.map(async (item) => {
    const stmt = rowWrite(ec.hooks, ec.unit, item.node) as Statement
    return await run(ec.tx, stmt, { entity: item.node.entity, loc: item.loc })
  })
  const results = await Promise.all(pending)
  for (let i = 0; i < items.length; i++) {
    const node = (items[i] as PlanNode).node
    const row = results[i]?.[0]
    if (row === undefined) throw new Error(`${node.entity.name}: write returned no row`)
    node.row = row
    await runAfterRow(ec, node)
  }
}
