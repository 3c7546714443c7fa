import { checkKeys, isObject, ROW_KEYS, type Problems } from './problems.js'
import { RULE_HOOKS, RULE_TYPES, type RuleDef, type RuleHook, type RuleType } from './types.js'

const RULE_KEYS = ['entity', 'hook', 'type', 'definition', 'priority', 'active'] as const
const INT4_MAX = 2147483647

/**
 * Checks the shape of a rule body (`{entity, hook, type, definition, priority, active}`) and
 * fills the defaults (hook before_write, priority 0, active true). What the definition means
 * for the entity is checked by `compileRule`. Returns null when the shape is wrong.
 */
export function parseRuleBody (body: unknown, problems: Problems): RuleDef | null {
  if (!isObject(body)) {
    problems.add('', 'type', 'the rule must be a JSON object')
    return null
  }
  checkKeys(problems, '', body, RULE_KEYS, ROW_KEYS)
  const { entity, definition } = body
  const hook = body.hook ?? 'before_write'
  const priority = body.priority ?? 0
  const active = body.active ?? true
  if (typeof entity !== 'string' || entity === '') problems.add('entity', 'required', 'entity must be an entity name')
  if (!RULE_HOOKS.includes(hook as RuleHook)) problems.add('hook', 'enum', `hook must be one of: ${RULE_HOOKS.join(', ')}`)
  if (!RULE_TYPES.includes(body.type as RuleType)) problems.add('type', 'enum', `type must be one of: ${RULE_TYPES.join(', ')}`)
  if (!isObject(definition)) problems.add('definition', 'type', 'definition must be an object')
  if (typeof priority !== 'number' || !Number.isInteger(priority) || Math.abs(priority) > INT4_MAX) {
    problems.add('priority', 'type', 'priority must be an integer')
  }
  if (typeof active !== 'boolean') problems.add('active', 'type', 'active must be a boolean')
  if (body.type === 'computed' && hook === 'before_delete') {
    problems.add('hook', 'enum', 'computed rules set a value before a write: hook must be before_write')
  }
  if (problems.any) return null
  return {
    entity: entity as string,
    hook: hook as RuleHook,
    type: body.type as RuleType,
    definition: definition as Record<string, unknown>,
    priority: priority as number,
    active: active as boolean
  }
}
