import { didYouMean } from '../errors.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import { checkKeys, isObject, type Problems } from '../rules/problems.js'
import { ajvErrorsToDetails } from '../schema/ajv.js'
import { ACTION_TYPES, type CompiledAction, type CreateRecordAction, type SetFieldAction } from './types.js'

interface ActionContext {
  registry: Registry
  entity: CompiledEntity
  /** The machine's own field: only transitions change it. */
  stateField: string
  problems: Problems
}

const NOW_TYPES: ReadonlySet<string> = new Set(['timestamp', 'date', 'string', 'text'])

function compileSetField (a: Record<string, unknown>, at: string, ctx: ActionContext): SetFieldAction | null {
  const { entity, problems } = ctx
  checkKeys(problems, at, a, ['type', 'field', 'value'])
  const field = typeof a.field === 'string' ? entity.fields.get(a.field) : undefined
  if (field === undefined) {
    problems.add(`${at}.field`, 'exists', `${entity.name} has no field '${String(a.field)}'${typeof a.field === 'string' ? didYouMean(a.field, entity.fields.keys()) : ''}`)
    return null
  }
  if (!field.writable || field.isPk || field.name === ctx.stateField) {
    problems.add(`${at}.field`, 'writable', `set_field cannot write ${field.name} (primary key, auto field or the machine's own field)`)
    return null
  }
  if (!Object.hasOwn(a, 'value')) {
    problems.add(`${at}.value`, 'required', 'set_field needs a value ("now" for the current time)')
    return null
  }
  if (a.value === 'now' && NOW_TYPES.has(field.type)) return { type: 'set_field', field, value: null, now: true }
  // A literal is written as is, so it must be a valid value of the field, checked now rather than per write.
  const validate = entity.validateUpdate
  if (!validate({ [field.name]: a.value })) {
    for (const d of ajvErrorsToDetails(validate.errors)) problems.add(`${at}.value`, d.rule ?? 'type', d.message)
    return null
  }
  return { type: 'set_field', field, value: a.value, now: false }
}

function compileCreateRecord (a: Record<string, unknown>, at: string, ctx: ActionContext): CreateRecordAction | null {
  const { registry, problems } = ctx
  checkKeys(problems, at, a, ['type', 'entity', 'data'])
  const target = typeof a.entity === 'string' ? registry.entities.get(a.entity) : undefined
  if (target === undefined) {
    problems.add(`${at}.entity`, 'exists', `unknown entity '${String(a.entity)}'${typeof a.entity === 'string' ? didYouMean(a.entity, registry.entities.keys()) : ''}`)
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
      continue
    }
    if (typeof source !== 'string') {
      // Numbers, booleans and null mean themselves; strings are expressions (a literal string is quoted: "'sent'").
      if (source === null || typeof source === 'number' || typeof source === 'boolean') data.push({ field: name, value: { literal: source } })
      else problems.add(here, 'type', `${here} must be an expression string or a JSON scalar`)
      continue
    }
    const expression = problems.expression(here, source)
    if (expression !== null) data.push({ field: name, value: expression })
  }
  return { type: 'create_record', entity: target.name, data }
}

/**
 * Compiles a transition's actions: `set_field` must name a writable field of the entity with a
 * valid value (or "now"), `create_record` an existing entity with parseable expressions for
 * existing fields; `webhook` and `send_event` keep their definition for their after-commit
 * handler.
 */
export function compileActions (raw: unknown, at: string, ctx: ActionContext): CompiledAction[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) {
    ctx.problems.add(at, 'type', `${at} must be a list of actions`)
    return []
  }
  const out: CompiledAction[] = []
  raw.forEach((a: unknown, i) => {
    const here = `${at}[${i}]`
    if (!isObject(a) || !ACTION_TYPES.includes(a.type as typeof ACTION_TYPES[number])) {
      ctx.problems.add(`${here}.type`, 'enum', `action type must be one of: ${ACTION_TYPES.join(', ')}`)
      return
    }
    const compiled = a.type === 'set_field'
      ? compileSetField(a, here, ctx)
      : a.type === 'create_record' ? compileCreateRecord(a, here, ctx) : { type: a.type as 'webhook' | 'send_event', definition: Object.freeze({ ...a }) }
    if (compiled !== null) out.push(compiled)
  })
  return out
}
