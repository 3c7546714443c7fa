import { FREE_OBJECT, storedItem, writeBodies, type Schema } from '../schema/route-schemas.js'

/** The keys of a state machine (docs/reference.md, "State machines"); the definition is checked by `compileMachine`. */
const MACHINE_PROPERTIES: Record<string, Schema> = {
  entity: { type: 'string', minLength: 1, maxLength: 200 },
  field: { type: 'string', minLength: 1, maxLength: 200, description: 'The state field (usually an enum).' },
  definition: { ...FREE_OBJECT, description: '`{initial, transitions: [{from, to, roles?, guard?, actions?}]}`.' },
  active: { type: 'boolean', default: true }
}

export const MACHINE_BODIES = writeBodies(MACHINE_PROPERTIES, ['entity', 'field', 'definition'])
export const MACHINE_ITEM = storedItem(MACHINE_PROPERTIES)
