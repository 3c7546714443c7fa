import { didYouMean, isApiError, validationFailed, type ErrorDetail } from '../errors.js'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import { filterFromCondition } from '../query/index.js'
import { shapeProblems } from '../schema/shape.js'
import { MAX_ROLE_LENGTH, normalizeRoles, PERMISSION_BODIES } from './schemas.js'
import { USER_REF_PREFIX, userRefOf, type ConditionDef, type PermissionAction, type PermissionInput, type UserRef } from './types.js'

const MAX_LIST = 1000
const ORDERED: ReadonlySet<string> = new Set(['gt', 'gte', 'lt', 'lte'])
/** Value families a reference can be compared with: a user id is a UUID (or its text), an email is text. */
const REF_FAMILIES: Readonly<Record<UserRef, ReadonlySet<string>>> = {
  id: new Set(['uuid', 'string']),
  email: new Set(['string'])
}

/** Where problems are reported: the detail path and the list collecting details. */
interface Site {
  at: string
  out: ErrorDetail[]
}

/**
 * Roles: an array of non-empty strings, trimmed, duplicates collapsed; at least one unless
 * `allowEmpty`. Problems are pushed onto `out` under `field`.
 */
export function validateRoles (raw: unknown, opts: { field: string, out: ErrorDetail[], allowEmpty: boolean }): string[] {
  const { field, out } = opts
  if (!Array.isArray(raw) || raw.some((r) => typeof r !== 'string' || r.trim() === '' || r.length > MAX_ROLE_LENGTH)) {
    out.push({ field, rule: 'type', message: `${field} must be an array of non-empty strings (at most ${MAX_ROLE_LENGTH} characters each)` })
    return []
  }
  const roles = [...new Set((raw as string[]).map((r) => r.trim()))]
  if (roles.length === 0 && !opts.allowEmpty) out.push({ field, rule: 'required', message: `${field} must name at least one role` })
  return roles
}

/** Checks a `$user.*` reference against the field it is compared with. */
function checkRef (value: string, field: CompiledField, { at, out }: Site): void {
  const ref = userRefOf(value)
  if (ref === undefined) {
    out.push({ field: at, rule: 'reference', message: `unknown reference '${value}'; use ${USER_REF_PREFIX}id or ${USER_REF_PREFIX}email` })
  } else if (!REF_FAMILIES[ref].has(field.spec.family)) {
    out.push({ field: at, rule: 'reference', message: `${value} cannot be compared with ${field.type} field '${field.name}'` })
  }
}

/** The condition with references left out, for checking that literal values convert. */
function literalProbe (cond: ConditionDef, field: CompiledField, site: Site): ConditionDef | null {
  const { at, out } = site
  const isRef = (v: unknown): boolean => typeof v === 'string' && v.startsWith(USER_REF_PREFIX)
  if (Array.isArray(cond.value)) {
    if (cond.value.length > MAX_LIST) {
      out.push({ field: at, rule: 'max_items', message: `value lists hold at most ${MAX_LIST} values` })
      return null
    }
    for (const v of cond.value) if (isRef(v)) checkRef(v as string, field, site)
    return { ...cond, value: cond.value.filter((v) => !isRef(v)) }
  }
  if (isRef(cond.value)) {
    checkRef(cond.value as string, field, site)
    return null
  }
  return cond
}

function validateCondition (entity: CompiledEntity, raw: ConditionDef, site: Site): ConditionDef | null {
  const { at, out } = site
  const field = entity.fields.get(raw.field)
  if (field === undefined) {
    const name = raw.field
    out.push({ field: `${at}.field`, rule: 'exists', message: `unknown field '${name}' of ${entity.name}${didYouMean(name, entity.fields.keys())}` })
    return null
  }
  if (!field.spec.comparable) {
    out.push({ field: `${at}.field`, rule: 'type', message: `${field.type} fields cannot be used in conditions` })
    return null
  }
  const op = raw.operator
  if (ORDERED.has(op) && !field.spec.ordered) {
    out.push({ field: `${at}.operator`, rule: 'operator', message: `operator '${op}' does not apply to ${field.type} fields` })
    return null
  }
  const cond: ConditionDef = { field: field.name, operator: op, value: raw.value }
  const probe = literalProbe(cond, field, { at: `${at}.value`, out })
  if (probe !== null) {
    try {
      filterFromCondition(entity, probe)
    } catch (err) {
      if (!isApiError(err)) throw err
      out.push({ field: `${at}.value`, rule: 'type', message: err.details?.[0]?.message ?? err.message })
    }
  }
  return cond
}

function validateConditions (entity: CompiledEntity | undefined, raw: ConditionDef[] | null | undefined, out: ErrorDetail[]): ConditionDef[] {
  if (raw === undefined || raw === null || entity === undefined) return []
  const conditions: ConditionDef[] = []
  raw.forEach((c, i) => {
    const cond = validateCondition(entity, c, { at: `conditions[${i}]`, out })
    if (cond !== null) conditions.push(cond)
  })
  return conditions
}

/**
 * `fields` (docs/security.md, "Field permissions"): null/absent = every field; otherwise the
 * names of fields of the entity, duplicates collapsed. Not for `delete` (it removes whole rows).
 */
function validateFields (entity: CompiledEntity | undefined, action: PermissionAction, raw: string[] | null | undefined, out: ErrorDetail[]): string[] | null {
  if (raw === undefined || raw === null) return null
  if (action === 'delete') {
    out.push({ field: 'fields', rule: 'action', message: 'fields apply to read, create and update policies (a delete removes whole rows)' })
    return null
  }
  const names: string[] = []
  raw.forEach((name, i) => {
    if (entity === undefined) return
    if (!entity.fields.has(name)) {
      out.push({ field: `fields[${i}]`, rule: 'exists', message: `unknown field '${name}' of ${entity.name}${didYouMean(name, entity.fields.keys())}` })
    } else if (!names.includes(name)) {
      names.push(name)
    }
  })
  return names
}

/**
 * Validates a permission policy: its shape against the schema the route declares
 * (`schemas.ts`; import arrives without a route), then against the app's current metadata: the
 * entity and every condition field exist, operators apply to the field types, literal values
 * convert to the field type, `$user.*` references fit the field, `fields` name fields of the
 * entity. Throws VALIDATION_FAILED (422) with one detail per problem.
 */
export function validatePermission (input: unknown, registry: Registry): PermissionInput {
  const shape = shapeProblems(PERMISSION_BODIES.create, input)
  if (shape.length > 0) throw validationFailed(`Invalid permission: ${shape[0]?.field ?? ''} ${shape[0]?.message ?? ''}`.trim(), shape)
  const body = input as { entity: string, action: PermissionAction, roles: string[], conditions?: ConditionDef[] | null, fields?: string[] | null }
  const out: ErrorDetail[] = []
  const entity = registry.entities.get(body.entity)
  if (entity === undefined) {
    out.push({ field: 'entity', rule: 'exists', message: `unknown entity '${body.entity}'${didYouMean(body.entity, registry.entities.keys())}` })
  }
  const conditions = validateConditions(entity, body.conditions, out)
  const fields = validateFields(entity, body.action, body.fields, out)
  if (out.length > 0) throw validationFailed(`Invalid permission: ${out[0]?.field ?? ''} ${out[0]?.message ?? ''}`.trim(), out)
  return { entity: body.entity, action: body.action, roles: normalizeRoles(body.roles), conditions, fields }
}
