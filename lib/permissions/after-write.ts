import { isAdmin } from '../apps/context.js'
import { forbidden } from '../errors.js'
import type { WriteNode, WriteUnit } from '../write/hooks.js'
import { grantFor, type Grant } from './compile.js'
import { policiesOf } from './policies.js'

/**
 * The second half of a conditional create/update check, like PostgreSQL RLS `WITH CHECK`
 * (docs/security.md, "Write permissions"): the row as written — after every hook (computed
 * rules, state-machine actions) changed it — must still satisfy the caller's grant for the
 * action. Otherwise the change would move the row out of what the caller may write (or
 * create a row they could not have created): 403, and the transaction rolls back.
 */
function conditionalGrant (node: WriteNode, unit: WriteUnit): Grant | null {
  if (node.action === 'delete' || node.cascade === true || unit.user === null || isAdmin(unit.user)) return null
  const grant = grantFor(policiesOf(unit.registry), { entity: node.entity.name, action: node.action, user: unit.user })
  return grant.kind === 'some' ? grant : null
}

/** `needsAfterRow`: only rows written under a conditional grant are checked (others keep the fast paths). */
export function needsWrittenCheck (node: WriteNode, unit: WriteUnit): boolean {
  return conditionalGrant(node, unit) !== null
}

/** `afterRow`: refuses a written row its writer's grant does not cover. */
export function checkWritten (node: WriteNode, _tx: unknown, unit: WriteUnit): void {
  const grant = conditionalGrant(node, unit)
  if (grant === null || grant.kind !== 'some' || node.row === undefined || grant.test(node.row)) return
  const message = node.action === 'create'
    ? `Not allowed to create this ${node.entity.name}: the new row does not meet your create conditions`
    : `Not allowed to update this ${node.entity.name}: after the change it would no longer meet your update conditions`
  throw node.path === '' ? forbidden(message) : forbidden(message, [{ field: node.path, rule: 'permission', message }])
}
