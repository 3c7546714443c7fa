import { FREE_OBJECT, storedItem, writeBodies, type Schema } from '../schema/route-schemas.js'

/** Upper bounds that keep one definition reasonable to compile and to show. */
export const MAX_STEPS = 200
export const MAX_NAME = 200

const TRIGGER: Schema = {
  type: 'object',
  required: ['type', 'entity', 'field', 'to'],
  properties: {
    type: { type: 'string', enum: ['state_change'] },
    entity: { type: 'string', minLength: 1, maxLength: 200 },
    field: { type: 'string', minLength: 1, maxLength: 200 },
    to: { description: 'The value (string, number or boolean) that starts the workflow.' }
  },
  additionalProperties: false
}

/** The keys of a workflow (docs/reference.md, "Workflows"); steps and expressions are checked by `compileWorkflow`. */
const WORKFLOW_PROPERTIES: Record<string, Schema> = {
  name: { type: 'string', minLength: 1, maxLength: MAX_NAME },
  trigger: TRIGGER,
  context: { type: 'object', additionalProperties: { type: 'string' }, description: 'Instance context key → expression, evaluated at start.' },
  steps: { type: 'array', minItems: 1, maxItems: MAX_STEPS, items: FREE_OBJECT },
  active: { type: 'boolean', default: true }
}

export const WORKFLOW_BODIES = writeBodies(WORKFLOW_PROPERTIES, ['name', 'trigger', 'steps'])
export const WORKFLOW_ITEM = storedItem(WORKFLOW_PROPERTIES)
