import { invalidPayload, unknownField, validationFailed, type ErrorDetail } from '../errors.js'
import type { CompiledEntity, RelationEdge } from '../metadata/compiled.js'
import { planRelation } from './plan-relations.js'
import { isPlainObject, splitBody, type PlanErrors, type SplitBody } from './split.js'
import type { WriteNode } from './hooks.js'
import type { Location, PlanNode, WriteDeps } from './types.js'
import { validateValues } from './validate.js'
import { applyAutoFields, applyDefaults, hasFileFields, resolveFiles } from './values.js'

/** State of planning one unit of work: everything decided before the transaction starts. */
export interface PlanContext extends PlanErrors {
  deps: WriteDeps
  /** One timestamp per unit: every auto field and soft delete of the unit gets the same value. */
  now: Date
}

export interface NodeOptions {
  entity: CompiledEntity
  action: 'create' | 'update'
  loc: Location
  /** Edge from the parent record this one is written through (nested items). */
  via?: RelationEdge
}

/** Location of the root record: errors on its fields carry no path prefix, relation or index. */
export const ROOT: Readonly<Location> = Object.freeze({ path: '' })

/** A fresh planning state for one unit of work. */
export function newPlanContext (deps: WriteDeps): PlanContext {
  return { deps, now: new Date(), invalid: [], unknown: [], failed: [] }
}

/**
 * Plans a root create/update: parses, splits, fills defaults and auto fields, validates the
 * whole nested tree and resolves file values — all before any SQL. Throws the first class of
 * problems found (400 INVALID_PAYLOAD, 400 UNKNOWN_FIELD, 422 VALIDATION_FAILED) with every
 * detail of that class.
 */
export async function planRoot (ctx: PlanContext, root: { entity: CompiledEntity, body: unknown, action: 'create' | 'update' }): Promise<PlanNode> {
  const { entity, body, action } = root
  if (!isPlainObject(body)) throw invalidPayload('The request body must be a JSON object')
  const split = splitBody(entity, body, { action, nested: false, loc: ROOT, errors: ctx })
  const plan = await buildNode(ctx, split, { entity, action, loc: ROOT })
  throwPlanErrors(ctx)
  return plan
}

/**
 * `planRoot` of a create that names no relation, on an entity without file fields: nothing in
 * it waits, so it runs without a promise (a bulk create plans up to 1,000 records). Null, having
 * done nothing, when the record needs `planRoot`.
 */
export function planFlatCreate (ctx: PlanContext, entity: CompiledEntity, body: unknown): PlanNode | null {
  if (!isPlainObject(body) || hasFileFields(entity)) return null
  for (const key in body) if (!entity.fields.has(key) && entity.edges.has(key)) return null
  const split = splitBody(entity, body, { action: 'create', nested: false, loc: ROOT, errors: ctx })
  const { plan } = recordPlan(ctx, split, { entity, action: 'create', loc: ROOT })
  throwPlanErrors(ctx)
  return plan
}

function throwPlanErrors (errors: PlanErrors): void {
  if (errors.invalid.length > 0) throw invalidPayload(summary('Invalid payload', errors.invalid), errors.invalid)
  if (errors.unknown.length > 0) throw unknownField(summary('Unknown fields', errors.unknown), errors.unknown)
  if (errors.failed.length > 0) throw validationFailed('Validation failed', errors.failed)
}

function summary (title: string, details: ErrorDetail[]): string {
  const first = details[0]
  if (details.length === 1 && first !== undefined) {
    const field = first.field ?? ''
    const message = first.message.charAt(0).toUpperCase() + first.message.slice(1)
    return field === '' || message.includes(field) ? message : `${field}: ${message}`
  }
  return `${title}: ${details.map((d) => d.field ?? '?').join(', ')}`
}

/** No field arrives from a related write (most records): shared, never added to. */
const NOTHING_PROPAGATED: ReadonlySet<string> = new Set()

/**
 * One record of the plan from its split payload, without its relations: values, defaults,
 * validation, auto fields. FKs that a related write provides are taken out of the client's
 * values and out of the required check: a child's FK to its parent, and this record's FK when a
 * belongs_to object is given. `valid`: whether its values passed validation (failures go to `ctx`).
 */
function recordPlan (ctx: PlanContext, split: SplitBody, opts: NodeOptions): { plan: PlanNode, valid: boolean } {
  const { entity, action, loc, via } = opts
  const values = split.values
  // Shared until a field is propagated (no set, nor a closure adding to one, per flat record).
  let propagated = NOTHING_PROPAGATED as Set<string>
  if (via !== undefined && via.kind !== 'belongs_to' && via.kind !== 'many_to_many') propagated = new Set([via.remoteKey])
  for (const { edge, value } of split.relations) {
    if (edge.kind !== 'belongs_to') continue
    if (value === null) values[edge.localKey] = null
    else if (propagated === NOTHING_PROPAGATED) propagated = new Set([edge.localKey])
    else propagated.add(edge.localKey)
  }
  for (const f of propagated) Reflect.deleteProperty(values, f)
  const node: WriteNode = { entity, action, values, old: null, path: loc.path, sent: Object.keys(values) }
  if (action === 'create') applyDefaults(entity, values)
  const failures = validateValues(entity, values, { action, loc, propagated })
  if (failures.length > 0) ctx.failed.push(...failures)
  // A belongs_to object sets this record's FK at write time, so the record is written even without fields.
  const setsFk = split.relations.some((r) => r.edge.kind === 'belongs_to' && r.value !== null)
  const noop = action === 'update' && Object.keys(values).length === 0 && !setsFk
  if (!noop) applyAutoFields(node, ctx.now)
  return { plan: { node, loc, key: split.key, noop, relations: [], propagated }, valid: failures.length === 0 }
}

/**
 * Builds one record of the plan from its split payload (`recordPlan`), resolves its file
 * values, then plans its relations (recursively).
 */
export async function buildNode (ctx: PlanContext, split: SplitBody, opts: NodeOptions): Promise<PlanNode> {
  const { plan, valid } = recordPlan(ctx, split, opts)
  if (valid && hasFileFields(opts.entity)) await resolveFiles(ctx.deps, plan.node)
  for (const rel of split.relations) {
    const planned = planRelation(ctx, plan, rel)
    if (planned === null) continue
    const { rp, pending } = planned
    for (const p of pending) rp.items.push(await buildNode(ctx, p.split, { entity: rp.target, action: p.action, loc: p.loc, via: rp.edge }))
    plan.relations.push(rp)
  }
  return plan
}

/**
 * Turns a nested "update" whose PK does not exist into a create, for entities whose PK the
 * client supplies (string PKs): validated as a create before anything is written.
 */
export function convertToCreate (plan: PlanNode, now: Date): void {
  const { node } = plan
  const entity = node.entity
  node.action = 'create'
  node.values[entity.pk.name] = plan.key
  applyDefaults(entity, node.values)
  const failures = validateValues(entity, node.values, { action: 'create', loc: plan.loc, propagated: plan.propagated })
  if (failures.length > 0) throw validationFailed('Validation failed', failures)
  applyAutoFields(node, now)
  plan.noop = false
}
