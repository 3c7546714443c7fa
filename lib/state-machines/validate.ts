import { isObject, type Problems } from '../rules/problems.js'
import { shapeProblems } from '../schema/shape.js'
import { MACHINE_BODIES } from './schemas.js'
import type { MachineDef, MachineDefinition } from './types.js'

/**
 * Checks the shape of a state-machine body against its schema (`schemas.ts`; active defaults to
 * true). The definition itself is checked by `compileMachine`. Null when the shape is wrong.
 */
export function parseMachineBody (body: unknown, problems: Problems): MachineDef | null {
  for (const d of shapeProblems(MACHINE_BODIES.create, body)) problems.add(d.field ?? '', d.rule ?? 'invalid', d.message)
  if (problems.any || !isObject(body)) return null
  return { entity: body.entity as string, field: body.field as string, definition: body.definition as unknown as MachineDefinition, active: (body.active ?? true) as boolean }
}
