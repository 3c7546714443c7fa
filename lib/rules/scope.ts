import type { ErrorDetail } from '../errors.js'
import type { ExpressionScope } from '../expressions/index.js'
import type { WriteNode, WriteUnit } from '../write/hooks.js'

/**
 * `record` as expressions see it (docs/reference.md, "Rules"): the incoming values merged over the current row;
 * on delete, the current row.
 */
export function recordOf (node: WriteNode): Record<string, unknown> {
  if (node.action === 'delete') return { ...node.old }
  return node.old === null ? { ...node.values } : { ...node.old, ...node.values }
}

/** The variables of rules, computed fields and state-machine guards for one record of a unit. */
export function scopeOf (node: WriteNode, unit: WriteUnit, parts: { record: Record<string, unknown>, related?: Record<string, unknown> }): ExpressionScope {
  const u = unit.user
  return {
    record: parts.record,
    old: node.old,
    action: node.action,
    user: u === null ? null : { id: u.id, email: u.email, roles: u.roles },
    related: parts.related ?? {},
    now: unit.now
  }
}

const LAST_SEGMENT_RE = /(?:^|\.)([a-z][a-z0-9_]*)\[(\d+)\]$/

/**
 * Places an error detail of a record at its position in the payload, as the write path does
 * for type errors: nested records prefix the field with their path (`items[2].quantity`) and
 * carry the relation and index they were written through.
 */
export function detailAt (node: WriteNode, detail: ErrorDetail): ErrorDetail {
  if (node.path === '') return detail
  const out: ErrorDetail = { ...detail, field: detail.field === undefined ? node.path : `${node.path}.${detail.field}` }
  const m = LAST_SEGMENT_RE.exec(node.path)
  if (m !== null) {
    out.relation = m[1] as string
    out.index = Number(m[2])
  }
  return out
}
