import { isObject, type Problems } from '../rules/problems.js'
import { shapeProblems } from '../schema/shape.js'
import { WORKFLOW_BODIES } from './schemas.js'
import type { TriggerDef, WorkflowDef } from './types.js'

export { MAX_STEPS } from './schemas.js'

const CONTEXT_KEY_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/**
 * Checks the shape of a workflow body against its schema (`schemas.ts`; active defaults to true,
 * context to `{}`), plus what the schema does not say: a name that is not blank and context keys
 * usable as names in expressions. Steps, expressions and names against the metadata are checked
 * by `compileWorkflow`. Null when the shape is wrong.
 */
export function parseWorkflowBody (body: unknown, problems: Problems): WorkflowDef | null {
  for (const d of shapeProblems(WORKFLOW_BODIES.create, body)) problems.add(d.field ?? '', d.rule ?? 'invalid', d.message)
  if (problems.any || !isObject(body)) return null
  if ((body.name as string).trim() === '') problems.add('name', 'required', 'name must not be blank')
  const to = (body.trigger as Record<string, unknown>).to
  if (to === null || typeof to === 'object') problems.add('trigger.to', 'required', 'trigger.to must be the value (string, number or boolean) that starts the workflow')
  const context = (body.context ?? {}) as Record<string, string>
  for (const key of Object.keys(context)) {
    if (!CONTEXT_KEY_RE.test(key)) problems.add(`context.${key.slice(0, 100)}`, 'pattern', `context key '${key.slice(0, 100)}' must match ${CONTEXT_KEY_RE.source}`)
  }
  if (problems.any) return null
  const trigger = body.trigger as TriggerDef
  return {
    name: body.name as string,
    trigger: { type: 'state_change', entity: trigger.entity, field: trigger.field, to: trigger.to },
    context,
    steps: body.steps as Array<Record<string, unknown>>,
    active: (body.active ?? true) as boolean
  }
}
