import { didYouMean } from '../errors.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import { checkKeys, isObject, type Problems } from '../rules/problems.js'
import { compileCreateRecord, compileSetFieldValue } from './compile-write-actions.js'
import { ACTION_TYPES, type CompiledAction, type SetFieldAction } from './types.js'

interface ActionContext {
  registry: Registry
  entity: CompiledEntity
  /** The machine's own field: only transitions change it. */
  stateField: string
  problems: Problems
}

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
  const value = compileSetFieldValue({ entity, field, value: a.value, at: `${at}.value`, problems })
  return value === null ? null : { type: 'set_field', field, ...value }
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
