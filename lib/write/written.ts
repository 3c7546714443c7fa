import type { CompiledEntity, RelationEdge } from '../metadata/compiled.js'
import type { Row } from './sql.js'
import type { PlanNode } from './types.js'

/**
 * The children a create wrote, per has_many / has_one relation, as RETURNING gave them. A new
 * record has no other children, so they are the relation's whole content: the response can show
 * them without reading them back. Kept in a WeakMap keyed by the returned root row (no field of
 * its own, nothing to strip before serializing).
 */
const writtenChildren = new WeakMap<Row, ReadonlyMap<RelationEdge, readonly Row[]>>()

/** Remembers the children of a created root (the plan after its transaction committed). */
export function rememberWrittenChildren (plan: PlanNode, root: Row): void {
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

/**
 * The relation's content as an include would load it (rows in target primary key order; the
 * row or null for has_one) when the create of `root` wrote all of it and nothing else is needed:
 * no read filter on included rows, no eager relations of the target to load, and a primary key
 * whose order JavaScript compares like PostgreSQL (integers, uuids). Otherwise undefined.
 */
export function writtenRelation (root: Row, edge: RelationEdge, target: CompiledEntity): Row[] | Row | null | undefined {
  const rows = writtenChildren.get(root)?.get(edge)
  if (rows === undefined || target.eagerEdges.length > 0) return undefined
  const compare = pkOrder(target)
  if (compare === null) return undefined
  if (edge.kind === 'has_one') return rows[0] ?? null
  const pk = target.pk.name
  return [...rows].sort((a, b) => compare(a[pk], b[pk]))
}

function pkOrder (target: CompiledEntity): ((a: unknown, b: unknown) => number) | null {
  switch (target.pk.type) {
    case 'int': return (a, b) => Number(a) - Number(b)
    case 'bigint': return (a, b) => { const x = BigInt(String(a)); const y = BigInt(String(b)); return x < y ? -1 : x > y ? 1 : 0 }
    // PostgreSQL orders uuids by their bytes: the order of their lowercase hex text.
    case 'uuid': return (a, b) => { const x = String(a).toLowerCase(); const y = String(b).toLowerCase(); return x < y ? -1 : x > y ? 1 : 0 }
    default: return null
  }
}
