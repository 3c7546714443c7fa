import { conflict } from '../errors.js'
import type { CompiledEntity, CompiledField, RelationEdge } from '../metadata/compiled.js'
import { quoteIdent } from '../metadata/registry.js'
import type { OnDelete } from '../metadata/types.js'
import { runAfterRow, type WriteNode } from './hooks.js'
import { keyText } from './lookup.js'
import { rowSqlParams, rowStatement, splitReturned } from './row-sql.js'
import { arrayCastOf, existsStatement, run, selectForUpdate, type Row } from './sql.js'
import type { DeleteGroup, ExecContext } from './types.js'

/** A row to delete and its payload path (for hooks and error details). */
export interface DeleteRoot {
  row: Row
  path: string
}

function policyOf (edge: RelationEdge): OnDelete {
  return edge.relation.on_delete ?? (edge.kind === 'many_to_many' ? 'detach' : 'restrict')
}

function uniqueKeys (field: CompiledField, values: unknown[]): string[] {
  const out = new Set<string>()
  for (const v of values) if (v !== null && v !== undefined) out.add(keyText(field, v))
  return [...out]
}

/**
 * Plans the deletion of locked rows and everything their `on_delete` policies imply (docs/reference.md, "Writing"),
 * loading and locking affected children; `restrict` with live children is CONFLICT 409.
 * Children of a soft-deleted parent are deleted per their own entity config. A hard-deleted
 * parent takes its cascaded children with it physically (soft-deleted children included),
 * because their FK would otherwise point at a missing row.
 */
export async function collectDelete (ec: ExecContext, what: { entity: CompiledEntity, roots: DeleteRoot[], hard: boolean, cascade?: boolean }): Promise<DeleteGroup> {
  const { entity, roots, hard } = what
  const pk = entity.pk
  let seen = ec.deleting.get(entity.name)
  if (seen === undefined) { seen = new Set(); ec.deleting.set(entity.name, seen) }
  const fresh: DeleteRoot[] = []
  for (const r of roots) {
    const k = keyText(pk, r.row[pk.name])
    if (!seen.has(k)) { seen.add(k); fresh.push(r) }
  }
  const nodes: WriteNode[] = fresh.map((r) => ({ entity, action: 'delete', values: {}, old: r.row, path: r.path, ...(what.cascade === true ? { cascade: true } : {}) }))
  const group: DeleteGroup = { entity, hard, nodes, cascades: [], nullify: [], detach: [] }
  for (const edge of entity.edges.values()) {
    if (edge.kind === 'belongs_to' || fresh.length === 0) continue
    const local = entity.fields.get(edge.localKey)
    if (local === undefined) continue
    const keys = uniqueKeys(local, fresh.map((r) => r.row[edge.localKey]))
    if (keys.length === 0) continue
    if (edge.kind === 'many_to_many') await collectJoin(ec, group, { edge, local, keys })
    else await collectChildren(ec, group, { edge, local, keys })
  }
  return group
}

interface EdgeKeys {
  edge: RelationEdge
  /** The parent's key field the children reference. */
  local: CompiledField
  keys: string[]
}

async function collectChildren (ec: ExecContext, group: DeleteGroup, { edge, local, keys }: EdgeKeys): Promise<void> {
  const child = ec.registry.entities.get(edge.to)
  const fk = child?.fields.get(edge.remoteKey)
  if (child === undefined || fk === undefined) return
  const policy = policyOf(edge)
  const site = { entity: child, loc: { path: edge.name, relation: edge.name } }
  if (policy === 'restrict') {
    const live = await run(ec.tx, { text: existsStatement(child, fk), params: [keys] }, site)
    if (live.length > 0) {
      const message = `Cannot delete this ${group.entity.name}: related ${edge.name} records exist`
      throw conflict(message, [{ relation: edge.name, rule: 'restrict', message: `${edge.name} still references it` }])
    }
    // Only soft-deleted children can remain; a soft parent may keep them, a hard one may not.
    if (!group.hard || !child.softDelete) return
  } else if (policy !== 'cascade') {
    group.nullify.push({ child, fk, keys, liveOnly: !group.hard })
    return
  }
  const rows = await run(ec.tx, { text: selectForUpdate(child, fk, !group.hard), params: [keys] }, site)
  if (rows.length === 0) return
  const parentPath = new Map(group.nodes.map((n) => [keyText(local, n.old?.[local.name]), n.path]))
  const counters = new Map<string, number>()
  const roots = rows.map((row) => {
    const owner = keyText(local, row[fk.name])
    const i = counters.get(owner) ?? 0
    counters.set(owner, i + 1)
    const base = parentPath.get(owner) ?? ''
    return { row, path: `${base === '' ? '' : base + '.'}${edge.name}[${i}]` }
  })
  group.cascades.push(await collectDelete(ec, { entity: child, roots, hard: group.hard || !child.softDelete, cascade: true }))
}

/** many_to_many: join rows always go (hard); `restrict` on the owning side refuses while live targets are linked. */
async function collectJoin (ec: ExecContext, group: DeleteGroup, { edge, local, keys }: EdgeKeys): Promise<void> {
  const target = ec.registry.entities.get(edge.to)
  const remote = target?.fields.get(edge.remoteKey)
  if (edge.join === undefined || target === undefined || remote === undefined) return
  const table = edge.join.sqlTable
  const column = quoteIdent(edge.join.localColumn)
  const cast = arrayCastOf(local)
  if (policyOf(edge) === 'restrict' && edge.forward) {
    const live = target.softDelete ? ' AND t."deleted_at" IS NULL' : ''
    const text = `SELECT 1 AS x FROM ${table} j JOIN ${target.table} t ON t.${remote.column} = j.${quoteIdent(edge.join.remoteColumn)} ` +
      `WHERE j.${column} = ANY($1${cast})${live} LIMIT 1`
    const linked = await run(ec.tx, { text, params: [keys] }, { entity: target, loc: { path: edge.name, relation: edge.name } })
    if (linked.length > 0) {
      const message = `Cannot delete this ${group.entity.name}: it is linked to ${edge.name}`
      throw conflict(message, [{ relation: edge.name, rule: 'restrict', message: `${edge.name} still linked` }])
    }
  }
  group.detach.push({ table, column, cast, keys })
}

/** Executes a planned deletion: children first (FKs are NO ACTION), then the rows; afterRow per node. */
export async function executeDelete (ec: ExecContext, group: DeleteGroup): Promise<void> {
  for (const c of group.cascades) await executeDelete(ec, c)
  const { entity } = group
  const site = { entity, loc: { path: '' } }
  // Children a set_null policy detaches are updates like any other: the hooks' rowSql (audit, realtime) records them.
  for (const n of group.nullify) {
    const text = rowStatement(n.child, { kind: 'nullify', fields: [n.fk], liveOnly: n.liveOnly }, ec.hooks)
    await run(ec.tx, { text, params: [n.keys, ...rowSqlParams(ec.hooks, { entity: n.child, user: ec.unit.user })] }, site)
  }
  for (const d of group.detach) await run(ec.tx, { text: `DELETE FROM ${d.table} WHERE ${d.column} = ANY($1${d.cast})`, params: [d.keys] }, site)
  if (group.nodes.length === 0) return
  const pk = entity.pk
  const keys = group.nodes.map((n) => keyText(pk, n.old?.[pk.name]))
  // One statement deletes the group's rows and writes what the hooks' rowSql records of them.
  const hookParams = rowSqlParams(ec.hooks, { entity, user: ec.unit.user })
  if (group.hard) {
    await run(ec.tx, { text: rowStatement(entity, { kind: 'hard_delete', fields: [] }, ec.hooks), params: [keys, ...hookParams] }, site)
    for (const n of group.nodes) n.row = n.old ?? undefined
  } else {
    const text = rowStatement(entity, { kind: 'soft_delete', fields: [] }, ec.hooks)
    const rows = await run(ec.tx, { text, params: [keys, ec.now.toISOString(), ...hookParams] }, site)
    const byKey = new Map(rows.map((r) => { const { row } = splitReturned(entity, r); return [keyText(pk, row[pk.name]), row] }))
    for (const n of group.nodes) n.row = byKey.get(keyText(pk, n.old?.[pk.name]))
  }
  for (const n of group.nodes) await runAfterRow(ec, n)
}

/** Nodes of a deletion in tree order (parent first), for beforeWrite and afterCommit. */
export function deleteNodes (group: DeleteGroup, out: WriteNode[] = []): WriteNode[] {
  out.push(...group.nodes)
  for (const c of group.cascades) deleteNodes(c, out)
  return out
}
