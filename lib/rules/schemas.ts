import { FREE_OBJECT, storedItem, writeBodies, type Schema } from '../schema/route-schemas.js'
import { RULE_HOOKS, RULE_TYPES } from './types.js'

const INT4_MAX = 2147483647

/** The keys of a rule (docs/reference.md, "Rules"); what `definition` means is checked by `compileRule`. */
const RULE_PROPERTIES: Record<string, Schema> = {
  entity: { type: 'string', minLength: 1, maxLength: 200, description: 'The entity the rule guards.' },
  hook: { type: 'string', enum: [...RULE_HOOKS], default: 'before_write' },
  type: { type: 'string', enum: [...RULE_TYPES] },
  definition: { ...FREE_OBJECT, description: '`field`: {field, operator, value, message?}; `expression`: {expression, message?}; `computed`: {field, expression}.' },
  priority: { type: 'integer', minimum: -INT4_MAX, maximum: INT4_MAX, default: 0, description: 'Lower runs first.' },
  active: { type: 'boolean', default: true }
}

export const RULE_BODIES = writeBodies(RULE_PROPERTIES, ['entity', 'type', 'definition'])
export const RULE_ITEM = storedItem(RULE_PROPERTIES)
