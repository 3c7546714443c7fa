import { pagedList, pagedQuery } from '../schema/pagination.js'
import type { Schema } from '../schema/route-schemas.js'

/** One `_audit_log` row as `GET /_admin/audit` answers it (docs/reference.md, "Audit log"). */
const AUDIT_ENTRY: Schema = {
  type: 'object',
  required: ['id', 'entity', 'record_id', 'action', 'changes', 'user_id', 'at'],
  properties: {
    id: { type: 'string' },
    entity: { type: 'string' },
    record_id: { type: 'string' },
    action: { type: 'string', enum: ['create', 'update', 'delete'] },
    changes: { type: ['object', 'null'], additionalProperties: true, description: 'Field → `{old, new}`.' },
    user_id: { type: ['string', 'null'] },
    at: { type: 'string', format: 'date-time' }
  },
  additionalProperties: false
}

export const AUDIT_LIST_SCHEMA = {
  operationId: 'admin_list_audit',
  summary: 'The audit log, newest first',
  tags: ['admin'],
  querystring: pagedQuery({
    entity: { type: 'string', maxLength: 200 },
    record_id: { type: 'string', maxLength: 200 },
    action: { type: 'string', enum: ['create', 'update', 'delete'] }
  }),
  response: { 200: pagedList(AUDIT_ENTRY) }
}
