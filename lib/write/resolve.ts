import { validationFailed } from '../errors.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import { collectDelete, type DeleteRoot } from './delete.js'
import { keyText, lockRows } from './lookup.js'
import { convertToCreate } from './plan.js'
import { detailAt } from './split.js'
import { liveKeysStatement, run, selectForUpdate, type Row } from './sql.js'
import type { ExecContext, Location, PlanNode, RelationPlan } from './types.js'
import { applyAutoFields } from './values.js'

/**
 * First step inside the transaction: loads and locks every existing row the plan names,
 * checks that nested children belong to their parent and that linked targets exist, and
 * turns `_delete` marks and replace-mode leftovers into planned deletions. Nothing is written,
 * so beforeWrite hooks that run next see every record's `old`.
 */
export async function resolveNode (ec: ExecContext, plan: PlanNode): Promise<void> {
  for (const rp of plan.relations) {
    if (rp.edge.kind === 'belongs_to') await resolveRelated(ec, plan, rp)
    else if (rp.edge.kind === 'many_to_many') await checkLinkTargets(ec, rp)
    else await resolveChildren(ec, plan, rp)
    for (const item of rp.items) await resolveNode(ec, item)
  }
}

function notFoundAt (entity: CompiledEntity, key: unknown, loc: Location): Error {
  const message = `${entity.name} '${String(key)}' does not exist`
  return validationFailed(message, [detailAt(loc, { field: entity.pk.name, message, rule: 'exists' })])
}

/** Binds a nested item to its loaded row, or handles a PK that matches no live row. */
function bindRow (ec: ExecContext, item: PlanNode, row: Row | undefined): void {
  const entity = item.node.entity
  if (row !== undefined) {
    item.node.old = row
    return
  }
  // Client-supplied PKs (string keys) name the record to create; generated ones must exist.
  if (entity.def.primary_key.generated === true) throw notFoundAt(entity, item.key, item.loc)
  convertToCreate(item, ec.now)
}

/** belongs_to given with a PK: the related record must exist; this record's FK points at it. */
async function resolveRelated (ec: ExecContext, plan: PlanNode, rp: RelationPlan): Promise<void> {
  const item = rp.items[0]
  if (item === undefined || item.key === undefined) return
  const pk = rp.target.pk
  const rows = await lockRows(ec.tx, { entity: rp.target, field: pk, loc: item.loc }, [item.key])
  bindRow(ec, item, rows.get(keyText(pk, item.key)))
  if (item.node.old !== null) plan.node.values[rp.edge.localKey] = item.node.old[rp.edge.remoteKey]
}

/** has_many / has_one: ownership of named children, `_delete` marks, replace leftovers, FK for new ones. */
async function resolveChildren (ec: ExecContext, parent: PlanNode, rp: RelationPlan): Promise<void> {
  const { edge, target } = rp
  const pk = target.pk
  const fk = target.fields.get(edge.remoteKey)
  if (fk === undefined) throw new Error(`relation ${edge.name}: ${edge.remoteKey} is not a field of ${target.name}`)
  const parentKey = parent.node.old?.[edge.localKey] ?? undefined
  const named = [...rp.items.filter((i) => i.key !== undefined).map((i) => i.key), ...rp.removals.map((r) => r.key)]
  const rows = await lockRows(ec.tx, { entity: target, field: pk, loc: rp.loc }, named)
  const ownedBy = (row: Row, key: unknown, loc: Location): void => {
    const owner = row[fk.name]
    if (owner === null || owner === undefined) return
    if (parentKey !== undefined && parentKey !== null && keyText(fk, owner) === keyText(fk, parentKey)) return
    const message = `${target.name} '${String(key)}' belongs to another ${parent.node.entity.name}`
    throw validationFailed(message, [detailAt(loc, { field: pk.name, message, rule: 'ownership' })])
  }
  for (const item of rp.items) {
    if (item.key === undefined) {
      if (parentKey !== undefined) item.node.values[fk.name] = parentKey
      continue
    }
    const row = rows.get(keyText(pk, item.key))
    if (row !== undefined) ownedBy(row, item.key, item.loc)
    bindRow(ec, item, row)
    if (item.node.action === 'update' && (row?.[fk.name] ?? null) === null) {
      // An orphan (FK null) named under a parent is attached to it.
      if (parentKey !== undefined) item.node.values[fk.name] = parentKey
      markWritten(ec, item)
    }
  }
  const removed: DeleteRoot[] = []
  for (const r of rp.removals) {
    const row = rows.get(keyText(pk, r.key))
    if (row === undefined) throw notFoundAt(target, r.key, r.loc)
    ownedBy(row, r.key, r.loc)
    removed.push({ row, path: r.loc.path })
  }
  if (replacesLeftovers(rp) && parentKey !== undefined && parentKey !== null) {
    const existing = await run(ec.tx, { text: selectForUpdate(target, fk, true), params: [[keyText(fk, parentKey)]] }, { entity: target, loc: rp.loc })
    const kept = new Set(named.map((k) => keyText(pk, k)))
    for (const row of existing) if (!kept.has(keyText(pk, row[pk.name]))) removed.push({ row, path: rp.loc.path })
  }
  if (removed.length > 0) rp.deletes.push(await collectDelete(ec, { entity: target, roots: removed, hard: !target.softDelete }))
}

/**
 * replace mode deletes children missing from the payload. A has_one holds a single record, so a
 * new record (no PK) written in diff mode takes the place of the current one the same way,
 * instead of failing on the one-to-one unique index.
 */
function replacesLeftovers (rp: RelationPlan): boolean {
  if (rp.mode === 'replace') return true
  return rp.edge.kind === 'has_one' && rp.mode === 'diff' && rp.items.some((i) => i.key === undefined)
}

/** A nested record that must be written even though the payload changes none of its fields. */
function markWritten (ec: ExecContext, item: PlanNode): void {
  if (!item.noop) return
  item.noop = false
  applyAutoFields(item.node, ec.now)
}

/** many_to_many: every key to link must be a live target (docs/reference.md, "Writing": unknown id → 422 with relation and index). */
async function checkLinkTargets (ec: ExecContext, rp: RelationPlan): Promise<void> {
  const field = rp.target.fields.get(rp.edge.remoteKey)
  const adds = rp.links.filter((l) => !l.remove)
  if (field === undefined || adds.length === 0) return
  const keys = [...new Set(adds.map((l) => keyText(field, l.key)))]
  const rows = await run(ec.tx, { text: liveKeysStatement(rp.target, field), params: [keys] }, { entity: rp.target, loc: rp.loc })
  const found = new Set(rows.map((r) => keyText(field, r.k)))
  const missing = adds.filter((l) => !found.has(keyText(field, l.key)))
  if (missing.length === 0) return
  throw validationFailed(`Unknown ${rp.target.name} in ${rp.edge.name}`, missing.map((l) =>
    detailAt(l.loc, { field: field.name, message: `${rp.target.name} '${String(l.key)}' does not exist`, rule: 'exists' })))
}
