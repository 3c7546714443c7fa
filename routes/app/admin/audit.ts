import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { listAudit } from '../../../lib/audit/store.js'
import { invalidPayload } from '../../../lib/errors.js'
import { parsePagedQuery } from '../pagination.js'

const ACTIONS = new Set(['create', 'update', 'delete'])

/** `GET /_admin/audit`: the audit log, newest first, `?entity ?record_id ?action ?page ?per_page`. */
export default async function auditAdminRoutes (fastify: FastifyInstance): Promise<void> {
  fastify.get('/', async (request) => {
    const q = parsePagedQuery(request.query, ['entity', 'record_id', 'action'])
    const { action } = q.filters
    if (action !== undefined && !ACTIONS.has(action)) {
      throw invalidPayload(`Unknown action '${action.slice(0, 50)}'`, [{ field: 'action', message: 'must be create, update or delete' }])
    }
    const { rows, total } = await listAudit((request.appCtx as AppContext).sql, q.filters, q)
    return { data: rows, meta: { page: q.page, per_page: q.perPage, total } }
  })
}
