import { checkKeys, isObject, ROW_KEYS, type Problems } from '../rules/problems.js'
import type { MachineDef, MachineDefinition } from './types.js'

/**
 * Checks the shape of a state-machine body (`{entity, field, definition, active}`, active
 * defaulting to true). The definition itself is checked by `compileMachine`. Null when the
 * shape is wrong.
 */
export function parseMachineBody (body: unknown, problems: Problems): MachineDef | null {
  if (!isObject(body)) {
    problems.add('', 'type', 'the state machine must be a JSON object')
    return null
  }
  checkKeys(problems, '', body, ['entity', 'field', 'definition', 'active'], ROW_KEYS)
  const { entity, field, definition } = body
  const active = body.active ?? true
  if (typeof entity !== 'string' || entity === '') problems.add('entity', 'required', 'entity must be an entity name')
  if (typeof field !== 'string' || field === '') problems.add('field', 'required', 'field must be a field name')
  if (!isObject(definition)) problems.add('definition', 'type', 'definition must be an object {initial, transitions}')
  if (typeof active !== 'boolean') problems.add('active', 'type', 'active must be a boolean')
  if (problems.any) return null
  return { entity: entity as string, field: field as string, definition: definition as unknown as MachineDefinition, active: active as boolean }
}
