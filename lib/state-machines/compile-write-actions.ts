import { didYouMean } from '../errors.js'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import { checkKeys, isObject, type Problems } from '../rules/problems.js'
import { ajvErrorsToDetails } from '../schema/ajv.js'
import type { CreateRecordAction } from './types.js'

/*
 * The parts of the record-writing actions that state machines and workflows compile alike:
 * both stores hold the same `create_record` shape and the same `set_field` value rules.
 */

/**
 * The value of a `set_field` action: `"now"` for a time-like field, otherwise a literal that must
 * be a valid value of the field — it is written as is, so it is checked now rather than per
 * write. Problems are recorded at `at`; null when the value is invalid.
 */
export function compileSetFieldValue (opts: { entity: CompiledEntity, field: CompiledField, value: unknown, at: string, problems: Problems }): { value: unknown, now: boolean } | null {
  const { entity, field, value, at, problems } = opts
  // "now" (the unit's timestamp) fits a time field or, as ISO text, a text field.
  if (value === 'now' && (field.spec.temporal || field.spec.textual)) return { value: null, now: true }
  if (!entity.validateUpdate({ [field.name]: value })) {
    for (const d of ajvErrorsToDetails(entity.validateUpdate.errors)) problems.add(at, d.rule ?? 'type', d.message)
    return null
  }
  return { value, now: false }
}

/**
 * `{type: create_record, entity, data: {field: "expression"}}`: an existing entity, and for each
 * existing field an expression (a literal string is quoted: "'sent'") or a JSON scalar other than
 * a string, which means itself. Problems are recorded with their path under `at`.
 */
export function compileCreateRecord (a: Record<string, unknown>, at: string, ctx: { registry: Registry, problems: Problems }): CreateRecordAction | null {
  const { registry, problems } = ctx
  checkKeys(problems, at, a, ['type', 'entity', 'data'])
  const target = typeof a.entity === 'string' ? registry.entities.get(a.entity) : undefined
  if (target === undefined) {
    const hint = typeof a.entity === 'string' ? didYouMean(a.entity, registry.entities.keys()) : ''
    problems.add(`${at}.entity`, 'exists', `unknown entity '${String(a.entity)}'${hint}`)
    return null
  }
  if (!isObject(a.data)) {
    problems.add(`${at}.data`, 'type', 'data must be an object of field: "expression"')
    return null
  }
  const data: CreateRecordAction['data'] = []
  for (const [name, source] of Object.entries(a.data)) {
    const here = `${at}.data.${name}`
    if (!target.fields.has(name)) {
      problems.add(here, 'exists', `${target.name} has no field '${name}'${didYouMean(name, target.fields.keys())}`)
    } else if (typeof source === 'string') {
      const expression = problems.expression(here, source)
      if (expression !== null) data.push({ field: name, value: expression })
    } else if (source === null || typeof source === 'number' || typeof source === 'boolean') {
      data.push({ field: name, value: { literal: source } })
    } else {
      problems.add(here, 'type', `${here} must be an expression string or a JSON scalar`)
    }
  }
  return { type: 'create_record', entity: target.name, data }
}
