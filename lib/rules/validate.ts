import { shapeProblems } from '../schema/shape.js'
import { isObject, type Problems } from './problems.js'
import { RULE_BODIES } from './schemas.js'
import type { RuleDef, RuleHook, RuleType } from './types.js'

/**
 * Checks the shape of a rule body against its schema (`schemas.ts`, the one the route declares)
 * and fills the defaults (hook before_write, priority 0, active true). What the definition means
 * for the entity is checked by `compileRule`. Returns null when the shape is wrong.
 */
export function parseRuleBody (body: unknown, problems: Problems): RuleDef | null {
  for (const d of shapeProblems(RULE_BODIES.create, body)) problems.add(d.field ?? '', d.rule ?? 'invalid', d.message)
  if (problems.any || !isObject(body)) return null
  const hook = (body.hook ?? 'before_write') as RuleHook
  if (body.type === 'computed' && hook === 'before_delete') {
    problems.add('hook', 'enum', 'computed rules set a value before a write: hook must be before_write')
    return null
  }
  return {
    entity: body.entity as string,
    hook,
    type: body.type as RuleType,
    definition: body.definition as Record<string, unknown>,
    priority: (body.priority ?? 0) as number,
    active: (body.active ?? true) as boolean
  }
}
