import { isAdmin } from '../apps/context.js'
import { forbidden, type ErrorDetail } from '../errors.js'
import type { WriteNode, WriteUnit } from '../write/hooks.js'
import { fieldAccessFor } from './compile.js'
import { rowFields } from './field-access.js'
import { policiesOf } from './policies.js'

/**
 * Field-level write permissions (docs/security.md, "Field permissions"): a create or update may
 * write only the fields its matching policies grant — per record, the union of the fields of
 * the policies whose conditions the record meets (a create: the incoming values; an update:
 * the current row). Checked per record, nested ones too, before anything is written; every
 * field written without a grant is one detail `{field, rule: 'field_permission'}`, 403.
 * Only the fields the payload itself sets count: defaults, auto fields, keys propagated from a
 * parent and values other hooks set are the engine's, not the caller's. The PK is always allowed.
 */

function applies (node: WriteNode, unit: WriteUnit): node is WriteNode & { action: 'create' | 'update' } {
  return node.action !== 'delete' && node.cascade !== true && unit.user !== null && !isAdmin(unit.user)
}

/** `needsOld`: an update whose writable fields depend on the current row needs it before the check. */
export function fieldsNeedOld (node: WriteNode, unit: WriteUnit): boolean {
  if (!applies(node, unit) || node.action !== 'update') return false
  return fieldAccessFor(policiesOf(unit.registry), { entity: node.entity.name, action: 'update', user: unit.user }).kind === 'row'
}

/** `beforeWrite`: 403 naming every field of the payload the caller may not write. */
export function checkWrittenFields (node: WriteNode, unit: WriteUnit): void {
  if (!applies(node, unit)) return
  const access = fieldAccessFor(policiesOf(unit.registry), { entity: node.entity.name, action: node.action, user: unit.user })
  if (access.kind === 'all') return
  const allowed = rowFields(access, node.action === 'create' ? node.values : node.old ?? {})
  if (allowed === null) return
  const pk = node.entity.pk.name
  const details: ErrorDetail[] = []
  for (const field of node.sent ?? Object.keys(node.values)) {
    if (field === pk || allowed.has(field)) continue
    const at = node.path === '' ? field : `${node.path}.${field}`
    details.push({ field: at, rule: 'field_permission', message: `not allowed to ${node.action} field '${field}' of ${node.entity.name}` })
  }
  if (details.length === 0) return
  throw forbidden(`Not allowed to ${node.action} field${details.length > 1 ? 's' : ''} ${details.map((d) => d.field ?? '').join(', ')}`, details)
}
