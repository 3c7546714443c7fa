import type { CompiledEntity, RelationEdge } from '../metadata/compiled.js'
import { WRITE_MODES, type WriteMode } from '../metadata/types.js'
import { isKeyValue } from './lookup.js'
import type { PlanErrors, SplitBody } from './split.js'
import { detailAt, isPlainObject, splitBody } from './split.js'
import type { Location, PlanNode, RelationPlan, WriteDeps } from './types.js'

/** A nested record split and classified, waiting to be built into a PlanNode by plan.ts. */
export interface PendingItem {
  split: SplitBody
  action: 'create' | 'update'
  loc: Location
}

export interface PlannedRelation {
  rp: RelationPlan
  pending: PendingItem[]
}

interface Normalized {
  mode: WriteMode
  items: unknown[]
  /** A to-one relation given as one object (its errors carry no index). */
  single: boolean
}

type Ctx = PlanErrors & { deps: WriteDeps }

function toMany (edge: RelationEdge): boolean {
  return edge.kind === 'has_many' || edge.kind === 'many_to_many'
}

/** The `{_write_mode, data}` wrapper, told apart from a to-one record that has a `data` field. */
function isWrapper (raw: Record<string, unknown>, target: CompiledEntity): boolean {
  if (Object.hasOwn(raw, '_write_mode')) return true
  if (!Object.hasOwn(raw, 'data') || target.fields.has('data') || target.edges.has('data')) return false
  return Object.keys(raw).every((k) => k === 'data' || k === '_write_mode')
}

/**
 * Accepted shapes: `{_write_mode, data: [...]}`, a plain array (the relation's default mode),
 * and for to-one relations a single object or null. Anything else is INVALID_PAYLOAD.
 */
function normalize (ctx: Ctx, rp: Pick<RelationPlan, 'edge' | 'target' | 'loc'>, raw: unknown): Normalized | null {
  const { edge, target, loc } = rp
  let mode: unknown = edge.writeMode
  let data = raw
  if (isPlainObject(raw) && isWrapper(raw, target)) {
    mode = raw._write_mode ?? edge.writeMode
    data = raw.data
    const extra = Object.keys(raw).find((k) => k !== 'data' && k !== '_write_mode')
    if (extra !== undefined) ctx.invalid.push(detailAt(loc, { field: extra, message: `unexpected key '${extra}' beside _write_mode and data`, rule: 'shape' }))
  }
  if (!(WRITE_MODES as readonly unknown[]).includes(mode)) {
    ctx.invalid.push(detailAt(loc, { field: '_write_mode', message: `_write_mode must be one of ${WRITE_MODES.join(', ')}`, rule: 'enum' }))
    return null
  }
  const m = mode as WriteMode
  if (Array.isArray(data) && edge.kind !== 'belongs_to') return { mode: m, items: data, single: false }
  if (!toMany(edge) && (data === null || data === undefined)) return { mode: m, items: [], single: true }
  if (!toMany(edge) && isPlainObject(data)) return { mode: m, items: [data], single: true }
  const expected = toMany(edge) ? 'an array' : 'an object or null'
  ctx.invalid.push(detailAt(loc, { field: '', message: `${edge.name} must be ${expected}`, rule: 'shape' }))
  return null
}

/**
 * Plans one relation key of a record: many-to-many links and `_delete` marks directly, nested
 * records as pending items (split and classified) for plan.ts to build recursively.
 */
export function planRelation (ctx: Ctx, parent: PlanNode, rel: { edge: RelationEdge, value: unknown }): PlannedRelation | null {
  const { edge } = rel
  const target = ctx.deps.registry.entities.get(edge.to)
  if (target === undefined) throw new Error(`relation ${edge.name} targets unknown entity ${edge.to}`)
  const path = parent.loc.path === '' ? edge.name : `${parent.loc.path}.${edge.name}`
  const loc: Location = { path, relation: edge.name }
  const base = { edge, target, loc }
  const norm = normalize(ctx, base, rel.value)
  if (norm === null) return null
  const planned: PlannedRelation = { rp: { ...base, mode: norm.mode, items: [], removals: [], links: [], deletes: [] }, pending: [] }
  norm.items.forEach((raw, i) => {
    const itemLoc: Location = norm.single ? loc : { path: `${path}[${i}]`, relation: edge.name, index: i }
    if (edge.kind === 'many_to_many') planLink(ctx, planned.rp, { raw, loc: itemLoc })
    else planItem(ctx, planned, { raw, loc: itemLoc })
  })
  if (edge.kind === 'has_one' && planned.pending.length > 1) {
    ctx.failed.push(detailAt(loc, { field: '', message: `${edge.name} holds at most one record`, rule: 'max_items' }))
  }
  return planned
}

function planItem (ctx: Ctx, planned: PlannedRelation, item: { raw: unknown, loc: Location }): void {
  const { raw, loc } = item
  if (!isPlainObject(raw)) {
    ctx.invalid.push(detailAt(loc, { field: '', message: 'each item must be a JSON object', rule: 'type' }))
    return
  }
  const { rp } = planned
  const { edge, target } = rp
  const pk = target.pk
  const split = splitBody(target, raw, { action: 'create', nested: true, loc, via: edge.relation, errors: ctx })
  const hasKey = split.key !== undefined
  // append: insert only; rows that name an existing record are ignored, nothing is deleted.
  if (rp.mode === 'append' && hasKey && edge.kind !== 'belongs_to') return
  if (hasKey && !isKeyValue(pk, split.key)) {
    ctx.failed.push(detailAt(loc, { field: pk.name, message: `${pk.name} is not a valid ${pk.type} key`, rule: 'type' }))
    return
  }
  if (!split.remove) {
    planned.pending.push({ split, action: hasKey ? 'update' : 'create', loc })
  } else if (edge.kind === 'belongs_to') {
    ctx.invalid.push(detailAt(loc, { field: '_delete', message: '_delete is not supported on a belongs_to relation', rule: 'shape' }))
  } else if (!hasKey) {
    ctx.failed.push(detailAt(loc, { field: pk.name, message: `_delete needs the record's ${pk.name}`, rule: 'required' }))
  } else {
    rp.removals.push({ key: split.key, loc })
  }
}

/** many_to_many items: a bare key or an object carrying the target key (other keys are ignored). */
function planLink (ctx: Ctx, rp: RelationPlan, item: { raw: unknown, loc: Location }): void {
  const { raw, loc } = item
  const keyName = rp.edge.remoteKey
  const keyField = rp.target.fields.get(keyName)
  if (keyField === undefined) throw new Error(`relation ${rp.edge.name}: ${keyName} is not a field of ${rp.target.name}`)
  const obj = isPlainObject(raw) ? raw : null
  const key = obj !== null ? obj[keyName] : raw
  const remove = obj?._delete === true
  if (rp.mode === 'append' && remove) return
  if (!isKeyValue(keyField, key)) {
    const message = `${keyName} must be a valid ${keyField.type} key of ${rp.target.name}`
    ctx.failed.push(detailAt(loc, { field: keyName, message, rule: key === undefined ? 'required' : 'type' }))
    return
  }
  rp.links.push({ key, remove, loc })
}
