import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { AUDIT_LIST_SCHEMA } from '../../../lib/audit/schemas.js'
import { listAudit } from '../../../lib/audit/store.js'
import { pageOf } from '../../../lib/schema/pagination.js'

interface AuditQuery { page?: number, per_page?: number, entity?: string, record_id?: string, action?: string }

/** `GET /_admin/audit`: the audit log, newest first, `?entity ?record_id ?action ?page ?per_page`. */
export default async function auditAdminRoutes (fastify: FastifyInstance): Promise<void> {
  fastify.get<{ Querystring: AuditQuery }>('/', { schema: AUDIT_LIST_SCHEMA }, async (request) => {
    const { page: _p, per_page: _pp, ...filters } = request.query
    const q = pageOf(request.query)
    const { rows, total } = await listAudit((request.appCtx as AppContext).sql, filters, q)
    return { data: rows, meta: { page: q.page, per_page: q.perPage, total } }
  })
}
