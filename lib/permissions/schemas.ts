import { storedItem, writeBodies, type Schema } from '../schema/route-schemas.js'
import { indexedPaths, nameDetailPaths } from '../schema/route-validation.js'
import { CONDITION_OPERATORS, PERMISSION_ACTIONS } from './types.js'

export const MAX_CONDITIONS = 50
/** A policy lists at most as many fields as an entity may have (lib/metadata/schemas.ts). */
export const MAX_FIELDS = 500
export const MAX_ROLE_LENGTH = 100

/** Role names: non-blank strings (trimmed and de-duplicated when stored). */
export const ROLES: Schema = {
  type: 'array',
  maxItems: 1000,
  items: { type: 'string', minLength: 1, maxLength: MAX_ROLE_LENGTH, pattern: '\\S' }
}

/** Trimmed, duplicates collapsed (first occurrence kept). */
export function normalizeRoles (roles: readonly string[]): string[] {
  return [...new Set(roles.map((r) => r.trim()))]
}

const CONDITION: Schema = {
  type: 'object',
  required: ['field', 'operator', 'value'],
  properties: {
    field: { type: 'string', minLength: 1, maxLength: 200 },
    operator: { type: 'string', enum: [...CONDITION_OPERATORS] },
    value: { description: 'A literal of the field\'s type, a list for in/not_in, null only with eq/neq, or `$user.id` / `$user.email`.' }
  },
  additionalProperties: false
}

/**
 * The keys of a permission policy (docs/security.md). What a schema cannot say stays in
 * `validate.ts`: the entity and fields exist, operators and values fit the field types.
 */
const PERMISSION_PROPERTIES: Record<string, Schema> = {
  entity: { type: 'string', minLength: 1, maxLength: 200 },
  action: { type: 'string', enum: [...PERMISSION_ACTIONS] },
  roles: { ...ROLES, minItems: 1, description: 'Any of these roles is granted the policy.' },
  conditions: { type: ['array', 'null'], maxItems: MAX_CONDITIONS, items: CONDITION, description: 'ANDed; absent or empty: every row.' },
  fields: { type: ['array', 'null'], maxItems: MAX_FIELDS, items: { type: 'string', maxLength: 200 }, description: 'read/create/update: the fields the policy covers; null: every field.' }
}

const bodies = writeBodies(PERMISSION_PROPERTIES, ['entity', 'action', 'roles'])
export const PERMISSION_BODIES = { create: nameDetailPaths(bodies.create, indexedPaths), update: nameDetailPaths(bodies.update, indexedPaths) }
export const PERMISSION_ITEM = storedItem({
  ...PERMISSION_PROPERTIES,
  roles: { type: 'array', items: { type: 'string' } },
  conditions: { type: 'array', items: CONDITION },
  fields: { type: ['array', 'null'], items: { type: 'string' } }
})
