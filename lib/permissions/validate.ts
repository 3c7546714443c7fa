import { didYouMean, isApiError, validationFailed, type ErrorDetail } from '../errors.js'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import { filterFromCondition } from '../query/index.js'
import {
  CONDITION_OPERATORS, PERMISSION_ACTIONS, USER_REF_PREFIX, userRefOf,
  type ConditionDef, type ConditionOperator, type PermissionAction, type PermissionInput, type UserRef
} from './types.js'

const KEYS = new Set(['entity', 'action', 'roles', 'conditions', 'fields', 'id', 'created_at', 'updated_at'])
const MAX_CONDITIONS = 50
/** A policy lists at most as many fields as an entity may have (lib/metadata/validate-entity.ts). */
const MAX_FIELDS = 500
const MAX_LIST = 1000
const MAX_ROLE_LENGTH = 100
const ORDERED: ReadonlySet<string> = new Set(['gt', 'gte', 'lt', 'lte'])
/** Field types a reference can be compared with: a user id is a UUID, an email is text. */
const REF_TYPES: Readonly<Record<UserRef, ReadonlySet<string>>> = {
  id: new Set(['uuid', 'string', 'text']),
  email: new Set(['string', 'text'])
}

function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
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
  } else if (!REF_TYPES[ref].has(field.type)) {
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

function validateCondition (entity: CompiledEntity, raw: unknown, site: Site): ConditionDef | null {
  const { at, out } = site
  if (!isObject(raw)) {
    out.push({ field: at, rule: 'type', message: 'a condition is an object {field, operator, value}' })
    return null
  }
  const field = typeof raw.field === 'string' ? entity.fields.get(raw.field) : undefined
  if (field === undefined) {
    const name = typeof raw.field === 'string' ? raw.field : ''
    out.push({ field: `${at}.field`, rule: 'exists', message: `unknown field '${name}' of ${entity.name}${didYouMean(name, entity.fields.keys())}` })
    return null
  }
  if (field.type === 'json' || field.type === 'file') {
    out.push({ field: `${at}.field`, rule: 'type', message: `${field.type} fields cannot be used in conditions` })
    return null
  }
  const op = raw.operator
  if (typeof op !== 'string' || !(CONDITION_OPERATORS as readonly string[]).includes(op)) {
    out.push({ field: `${at}.operator`, rule: 'enum', message: `operator must be one of ${CONDITION_OPERATORS.join(', ')}` })
    return null
  }
  if (ORDERED.has(op) && !field.spec.ordered) {
    out.push({ field: `${at}.operator`, rule: 'operator', message: `operator '${op}' does not apply to ${field.type} fields` })
    return null
  }
  if (!('value' in raw)) {
    out.push({ field: `${at}.value`, rule: 'required', message: 'value is required (null only with eq/neq)' })
    return null
  }
  const cond: ConditionDef = { field: field.name, operator: op as ConditionOperator, value: raw.value }
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

function validateConditions (entity: CompiledEntity | undefined, raw: unknown, out: ErrorDetail[]): ConditionDef[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) {
    out.push({ field: 'conditions', rule: 'type', message: 'conditions must be an array' })
    return []
  }
  if (raw.length > MAX_CONDITIONS) {
    out.push({ field: 'conditions', rule: 'max_items', message: `at most ${MAX_CONDITIONS} conditions per policy` })
    return []
  }
  if (entity === undefined) return []
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
function validateFields (entity: CompiledEntity | undefined, action: unknown, raw: unknown, out: ErrorDetail[]): string[] | null {
  if (raw === undefined || raw === null) return null
  if (!Array.isArray(raw) || raw.some((f) => typeof f !== 'string')) {
    out.push({ field: 'fields', rule: 'type', message: 'fields must be an array of field names (or null for every field)' })
    return null
  }
  if (action === 'delete') {
    out.push({ field: 'fields', rule: 'action', message: 'fields apply to read, create and update policies (a delete removes whole rows)' })
    return null
  }
  if (raw.length > MAX_FIELDS) {
    out.push({ field: 'fields', rule: 'max_items', message: `at most ${MAX_FIELDS} fields` })
    return null
  }
  const names: string[] = []
  raw.forEach((name: string, i) => {
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
 * Validates a permission policy against the app's current metadata: the entity and every
 * condition field exist, operators apply to the field types, literal values convert to the
 * field type, `$user.*` references fit the field, roles are non-empty strings, `fields` name
 * fields of the entity. Unknown keys are refused. Throws VALIDATION_FAILED (422) with one detail per problem.
 */
export function validatePermission (input: unknown, registry: Registry): PermissionInput {
  if (!isObject(input)) throw validationFailed('A permission must be a JSON object', [{ rule: 'type', message: 'expected an object' }])
  const out: ErrorDetail[] = []
  for (const key of Object.keys(input)) {
    if (!KEYS.has(key)) out.push({ field: key, rule: 'unknown', message: `unknown property '${key}'${didYouMean(key, ['entity', 'action', 'roles', 'conditions', 'fields'])}` })
  }
  const entityName = typeof input.entity === 'string' ? input.entity : ''
  const entity = registry.entities.get(entityName)
  if (entity === undefined) {
    out.push({ field: 'entity', rule: 'exists', message: `unknown entity '${entityName}'${didYouMean(entityName, registry.entities.keys())}` })
  }
  const action = input.action
  if (typeof action !== 'string' || !(PERMISSION_ACTIONS as readonly string[]).includes(action)) {
    out.push({ field: 'action', rule: 'enum', message: `action must be one of ${PERMISSION_ACTIONS.join(', ')}` })
  }
  const roles = validateRoles(input.roles, { field: 'roles', out, allowEmpty: false })
  const conditions = validateConditions(entity, input.conditions, out)
  const fields = validateFields(entity, action, input.fields, out)
  if (out.length > 0) throw validationFailed(`Invalid permission: ${out[0]?.field ?? ''} ${out[0]?.message ?? ''}`.trim(), out)
  return { entity: entityName, action: action as PermissionAction, roles, conditions, fields }
}
