/** Permission policies as stored in `_permissions` and sent through the admin API (docs/reference.md, "Permissions"). */

export const PERMISSION_ACTIONS = ['read', 'create', 'update', 'delete'] as const
export type PermissionAction = typeof PERMISSION_ACTIONS[number]

/** Operators of permission conditions (a subset of the list filter operators). */
export const CONDITION_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'] as const
export type ConditionOperator = typeof CONDITION_OPERATORS[number]

/** Attributes of the caller a condition value may reference as `"$user.<name>"`. */
export const USER_REFS = ['id', 'email'] as const
export type UserRef = typeof USER_REFS[number]

export const USER_REF_PREFIX = '$user.'

/**
 * One condition on a field of the policy's entity. `value` is a JSON scalar, null (with
 * eq/neq: IS NULL / IS NOT NULL), an array (in/not_in) or a `"$user.id"`-style reference.
 */
export interface ConditionDef {
  field: string
  operator: ConditionOperator
  value: unknown
}

/** A validated policy: the payload of POST/PUT `/_admin/permissions`. */
export interface PermissionInput {
  entity: string
  action: PermissionAction
  roles: string[]
  conditions: ConditionDef[]
  /**
   * Field-level permission (docs/security.md, "Field permissions"): the fields this policy
   * grants (read: returned; create/update: writable); null = every field. The primary key is
   * always readable and need not be listed.
   */
  fields?: string[] | null
}

/** A stored policy as the admin API returns it. */
export interface PermissionRow extends PermissionInput {
  id: string
  created_at: Date
  updated_at: Date
}

/** The referenced user attribute when `value` is a `$user.*` reference, else undefined. */
export function userRefOf (value: unknown): UserRef | undefined {
  if (typeof value !== 'string' || !value.startsWith(USER_REF_PREFIX)) return undefined
  const name = value.slice(USER_REF_PREFIX.length)
  return (USER_REFS as readonly string[]).includes(name) ? name as UserRef : undefined
}
