import type { CompiledEntity, CompiledField, RelationEdge } from '../metadata/compiled.js'
import { keyText } from './lookup.js'
import type { Row } from './sql.js'
import type { PlanNode } from './types.js'

/**
 * The children a create wrote, per has_many / has_one relation, as RETURNING gave them. A new
 * record has no other children, so they are the relation's whole content: the response can show
 * them without reading them back. Kept in a WeakMap keyed by the returned root row (no field of
 * its own, nothing to strip before serializing).
 */
const writtenChildren = new WeakMap<Row, ReadonlyMap<RelationEdge, readonly Row[]>>()

/** Per to-many relation the write named records of: the key field and the keys, in the order sent. */
interface SentOrder {
  field: CompiledField
  keys: Map<string, number>
}

/** The order a create/update payload listed each relation's records in, keyed by the returned root row. */
const sentOrders = new WeakMap<Row, Map<string, SentOrder>>()

/** Remembers what the write of a root (the plan after its transaction committed) needs for its response. */
export function rememberWrittenChildren (plan: PlanNode, root: Row): void {
  // Most records of a bulk name no relation: nothing to remember, no Map to allocate.
  if (plan.relations.length === 0) return
  rememberSentOrder(plan, root)
  if (plan.node.action !== 'create') return
  const out = new Map<RelationEdge, readonly Row[]>()
  for (const rp of plan.relations) {
    if (rp.edge.kind !== 'has_many' && rp.edge.kind !== 'has_one') continue
    const rows: Row[] = []
    for (const item of rp.items) if (item.node.row !== undefined) rows.push(item.node.row)
    if (rows.length === rp.items.length) out.set(rp.edge, rows)
  }
  if (out.size > 0) writtenChildren.set(root, out)
}

function rememberSentOrder (plan: PlanNode, root: Row): void {
  const orders = new Map<string, SentOrder>()
  for (const rp of plan.relations) {
    if (rp.edge.kind === 'many_to_many') {
      const field = rp.target.fields.get(rp.edge.remoteKey)
      if (field === undefined) continue
      const keys = new Map<string, number>()
      for (const link of rp.links) if (!link.remove && !keys.has(keyText(field, link.key))) keys.set(keyText(field, link.key), keys.size)
      if (keys.size > 1) orders.set(rp.edge.name, { field, keys })
    } else if (rp.edge.kind === 'has_many') {
      const pk = rp.target.pk
      const keys = new Map<string, number>()
      for (const item of rp.items) {
        const key = item.key ?? item.node.row?.[pk.name]
        if (key !== undefined && key !== null && !keys.has(keyText(pk, key))) keys.set(keyText(pk, key), keys.size)
      }
      if (keys.size > 1) orders.set(rp.edge.name, { field: pk, keys })
    }
  }
  if (orders.size > 0) sentOrders.set(root, orders)
}

/**
 * Puts the to-many relations of a written root (as `loadIncludes` read them back, in primary key
 * order) into the order the request listed them (docs/reference.md, "Writing" via docs/VALIDATION.md, "Nested
 * children"); rows the request did not name (existing children a diff left alone) follow, in
 * their read order.
 */
export function orderAsSent (root: Row, entity: CompiledEntity): void {
  const orders = sentOrders.get(root)
  if (orders === undefined) return
  for (const [name, { field, keys }] of orders) {
    const rows = root[name]
    if (!Array.isArray(rows) || !entity.edges.has(name)) continue
    const list = rows as Row[]
    const rank = (r: Row): number => keys.get(keyText(field, r[field.name])) ?? Infinity
    // Array.prototype.sort is stable: unnamed rows keep their relative (key) order at the end.
    list.sort((a, b) => {
      const x = rank(a)
      const y = rank(b)
      return x === y ? 0 : x < y ? -1 : 1
    })
  }
}

/**
 * The relation's content as the create of `root` wrote it, in the order the request sent it (the
 * row or null for has_one), when nothing else is needed: no read filter on included rows and no
 * eager relations of the target to load. Otherwise undefined.
 */
export function writtenRelation (root: Row, edge: RelationEdge, target: CompiledEntity): Row[] | Row | null | undefined {
  const rows = writtenChildren.get(root)?.get(edge)
  if (rows === undefined || target.eagerEdges.length > 0) return undefined
  if (edge.kind === 'has_one') return rows[0] ?? null
  return [...rows]
}
