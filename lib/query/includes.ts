import { internalError } from '../errors.js'
import type { CompiledEntity, RelationEdge } from '../metadata/compiled.js'
import { quoteIdent } from '../metadata/registry.js'
import { arrayTypeOf, fragmentsOf, INCLUDE_ALIAS, whereClause } from './sql.js'
import type { IncludeSel } from './selection.js'
import type { ReadDeps, ReadExtra } from './types.js'

type Row = Record<string, unknown>

/** Everything about loading one edge that depends on metadata only. */
interface EdgePlan {
  target: CompiledEntity
  /** `SELECT ... FROM target t [JOIN join j ON ...]`; the WHERE is appended per request. */
  selectFrom: string
  /** `t."fk" = ANY($1::uuid[])` or `j."parent_id" = ANY($1::uuid[])`. */
  keyCondition: string
  /** ` ORDER BY t."id" ASC`: children come in target primary key order. */
  order: string
  /** Property of the parent rows holding the key the query matches. */
  parentKey: string
  /** Property of the target rows to group by (FK edges); null for joins (parent key is column 0). */
  groupKey: string | null
  /** Target field names in select order (joins build rows from raw values). */
  names: string[]
  many: boolean
}

const planCache = new WeakMap<RelationEdge, EdgePlan>()

function missing (what: string): Error {
  return internalError(`Inconsistent relation metadata: ${what}`)
}

function buildPlan (entity: CompiledEntity, edge: RelationEdge, target: CompiledEntity): EdgePlan {
  const fr = fragmentsOf(target)
  const t = INCLUDE_ALIAS
  const common = {
    target,
    order: ` ORDER BY ${t}.${fr.pkOrder}`,
    parentKey: edge.localKey,
    names: target.fieldList.map((f) => f.name),
    many: edge.kind === 'has_many' || edge.kind === 'many_to_many'
  }
  if (edge.join !== undefined) {
    const localKey = entity.fields.get(edge.localKey)
    const remoteKey = target.fields.get(edge.remoteKey)
    if (localKey === undefined || remoteKey === undefined) throw missing(`keys of ${edge.name}`)
    const jl = `j.${quoteIdent(edge.join.localColumn)}`
    return {
      ...common,
      // The parent key comes first so rows can be grouped without an extra property to strip.
      selectFrom: `SELECT ${jl}, ${fr.qualifiedColumns} FROM ${target.table} ${t} JOIN ${edge.join.sqlTable} j ON j.${quoteIdent(edge.join.remoteColumn)} = ${t}.${remoteKey.column}`,
      keyCondition: `${jl} = ANY($1::${arrayTypeOf(localKey)}[])`,
      groupKey: null
    }
  }
  const remoteKey = target.fields.get(edge.remoteKey)
  if (remoteKey === undefined) throw missing(`key ${edge.remoteKey} of ${target.name}`)
  return {
    ...common,
    selectFrom: `SELECT ${fr.qualifiedColumns} FROM ${target.table} ${t}`,
    keyCondition: `${t}.${remoteKey.column} = ANY($1::${arrayTypeOf(remoteKey)}[])`,
    groupKey: remoteKey.name
  }
}

function planOf (deps: ReadDeps, entity: CompiledEntity, edge: RelationEdge): EdgePlan {
  const target = deps.registry.entities.get(edge.to)
  if (target === undefined) throw missing(`unknown entity ${edge.to}`)
  let plan = planCache.get(edge)
  // Edges and entities are immutable per registry version; a changed target means a new version.
  if (plan === undefined || plan.target !== target) {
    plan = buildPlan(entity, edge, target)
    planCache.set(edge, plan)
  }
  return plan
}

/** Distinct non-null key values of the parent rows. */
function collectKeys (rows: readonly Row[], key: string): unknown[] {
  const keys = new Set<unknown>()
  for (const row of rows) {
    const v = row[key]
    if (v !== null && v !== undefined) keys.add(v)
  }
  return [...keys]
}

/** Groups children by key text (int and bigint keys arrive as number and string). */
async function fetchGroups (deps: ReadDeps, plan: EdgePlan, keys: unknown[], extra: ReadExtra): Promise<Map<string, Row[]>> {
  const params: unknown[] = [keys]
  const conditions = extra.includeWhere?.(plan.target.name)
  const where = whereClause([plan.keyCondition, fragmentsOf(plan.target).qualifiedLive], params, [conditions], `${INCLUDE_ALIAS}.`)
  const query = deps.sql.unsafe(plan.selectFrom + where + plan.order, params as never[], { prepare: true })
  const groups = new Map<string, Row[]>()
  const add = (key: unknown, row: Row): void => {
    const k = String(key)
    const list = groups.get(k)
    if (list === undefined) groups.set(k, [row])
    else list.push(row)
  }
  if (plan.groupKey !== null) {
    const key = plan.groupKey
    for (const row of await query) add(row[key], row)
    return groups
  }
  // Join rows: column 0 is the parent key, the rest are the target's fields in order.
  const names = plan.names
  for (const values of await query.values()) {
    const row: Row = {}
    for (let i = 0; i < names.length; i++) row[names[i] as string] = values[i + 1]
    add(values[0], row)
  }
  return groups
}

async function loadEdge (deps: ReadDeps, entity: CompiledEntity, rows: Row[], edge: RelationEdge, extra: ReadExtra): Promise<void> {
  const plan = planOf(deps, entity, edge)
  const keys = collectKeys(rows, plan.parentKey)
  const groups = keys.length === 0 ? new Map<string, Row[]>() : await fetchGroups(deps, plan, keys, extra)
  for (const row of rows) {
    const k = row[plan.parentKey]
    const list = k === null || k === undefined ? undefined : groups.get(String(k))
    row[edge.name] = plan.many ? (list ?? []) : (list?.[0] ?? null)
  }
}

/**
 * Attaches related records to `rows` (in place) under each edge's name: an array for
 * has_many / many_to_many (`[]` when none), an object or null for has_one / belongs_to.
 * One query per edge over all parent keys (`= ANY($1)`), run in parallel; soft-deleted
 * targets are excluded and `extra.includeWhere(target)` conditions apply. Children are
 * ordered by target primary key. Several parents may share one belongs_to object.
 * `edges` must belong to `entity` in `deps.registry`.
 */
export async function loadIncludes (deps: ReadDeps, entity: CompiledEntity, rows: Row[], edges: readonly RelationEdge[], extra: ReadExtra = {}): Promise<void> {
  if (rows.length === 0 || edges.length === 0) return
  if (edges.length === 1) return await loadEdge(deps, entity, rows, edges[0] as RelationEdge, extra)
  await Promise.all(edges.map((edge) => loadEdge(deps, entity, rows, edge, extra)))
}

/** The related rows an edge attached to `rows` (each once: belongs_to objects may be shared). */
function childrenOf (rows: readonly Row[], edge: RelationEdge): Row[] {
  const out = new Set<Row>()
  for (const row of rows) {
    const v = row[edge.name]
    if (Array.isArray(v)) for (const c of v as Row[]) out.add(c)
    else if (v !== null && v !== undefined) out.add(v as Row)
  }
  return [...out]
}

/**
 * Nested includes (`include=items.product`): each edge of the tree is one query over all the
 * rows of its level, edges of one level in parallel, then their children.
 */
export async function loadSelected (deps: ReadDeps, entity: CompiledEntity, rows: Row[], includes: readonly IncludeSel[], extra: ReadExtra = {}): Promise<void> {
  if (rows.length === 0 || includes.length === 0) return
  await Promise.all(includes.map(async (inc) => {
    await loadEdge(deps, entity, rows, inc.edge, extra)
    if (inc.children.length > 0) await loadSelected(deps, inc.target, childrenOf(rows, inc.edge), inc.children, extra)
  }))
}
