import { checkKeys, isObject, ROW_KEYS, type Problems } from '../rules/problems.js'
import type { TriggerDef, WorkflowDef } from './types.js'

/** Upper bounds that keep one definition reasonable to compile and to show. */
export const MAX_STEPS = 200
const MAX_NAME = 200
const CONTEXT_KEY_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

function parseTrigger (raw: unknown, problems: Problems): TriggerDef | null {
  if (!isObject(raw)) {
    problems.add('trigger', 'type', 'trigger must be an object {type: "state_change", entity, field, to}')
    return null
  }
  checkKeys(problems, 'trigger', raw, ['type', 'entity', 'field', 'to'])
  const { type, entity, field } = raw
  if (type !== 'state_change') problems.add('trigger.type', 'enum', "trigger.type must be 'state_change'")
  if (typeof entity !== 'string' || entity === '') problems.add('trigger.entity', 'required', 'trigger.entity must be an entity name')
  if (typeof field !== 'string' || field === '') problems.add('trigger.field', 'required', 'trigger.field must be a field name')
  if (!Object.hasOwn(raw, 'to') || raw.to === null || typeof raw.to === 'object') {
    problems.add('trigger.to', 'required', 'trigger.to must be the value (string, number or boolean) that starts the workflow')
  }
  return { type: 'state_change', entity: entity as string, field: field as string, to: raw.to }
}

function parseContext (raw: unknown, problems: Problems): Record<string, string> {
  if (raw === undefined || raw === null) return {}
  if (!isObject(raw)) {
    problems.add('context', 'type', 'context must be an object {key: "expression"}')
    return {}
  }
  for (const [key, source] of Object.entries(raw)) {
    if (!CONTEXT_KEY_RE.test(key)) problems.add(`context.${key}`, 'pattern', `context key '${key.slice(0, 100)}' must match ${CONTEXT_KEY_RE.source}`)
    else if (typeof source !== 'string') problems.add(`context.${key}`, 'type', `context.${key} must be an expression string`)
  }
  return raw as Record<string, string>
}

/**
 * Checks the shape of a workflow body (`{name, trigger, context?, steps, active?}`, active
 * defaulting to true, context to `{}`). Steps, expressions and names against the metadata are
 * checked by `compileWorkflow`. Null when the shape is wrong.
 */
export function parseWorkflowBody (body: unknown, problems: Problems): WorkflowDef | null {
  if (!isObject(body)) {
    problems.add('', 'type', 'the workflow must be a JSON object')
    return null
  }
  checkKeys(problems, '', body, ['name', 'trigger', 'context', 'steps', 'active'], ROW_KEYS)
  const { name, steps } = body
  const active = body.active ?? true
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME) {
    problems.add('name', 'required', `name must be a non-empty string of at most ${MAX_NAME} characters`)
  }
  const trigger = parseTrigger(body.trigger, problems)
  const context = parseContext(body.context, problems)
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > MAX_STEPS) {
    problems.add('steps', 'type', `steps must be a list of 1 to ${MAX_STEPS} steps`)
  }
  if (typeof active !== 'boolean') problems.add('active', 'type', 'active must be a boolean')
  if (problems.any || trigger === null) return null
  return { name: name as string, trigger, context, steps: steps as Array<Record<string, unknown>>, active: active as boolean }
}
