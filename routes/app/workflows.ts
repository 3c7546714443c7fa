import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../lib/apps/context.js'
import { decide, readInstance } from '../../lib/workflows/decide.js'
import { instanceView, listInstances, listPending } from '../../lib/workflows/instances.js'
import { INSTANCE_ROUTES } from '../../lib/workflows/route-schemas.js'
import type { InstanceStatus, WaitingFor } from '../../lib/workflows/types.js'
import { isAdmin } from '../../lib/apps/context.js'
import { pageOf } from '../../lib/schema/pagination.js'
import { noBodyAsEmpty } from '../optional-body.js'

interface PageParams { page?: number, per_page?: number }

type IdParams = { Params: { id: string } }

/**
 * `/api/:app/_workflows`: the workflow runtime for authenticated users. `pending` lists the
 * approvals the caller may decide (assignee role or user; admins see all), `:id` shows an
 * instance with its history (to admins, assignees and anyone in its history), `:id/approve` and
 * `:id/reject` decide (`{comment?}`, no body: none) and answer with the instance as it stands afterwards.
 * `GET /` lists every instance for the admin monitor (`?status ?workflow ?waiting_for`; a paused
 * instance is `running` with `waiting_for` approval or wait).
 */
export default async function workflowRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  type ListQuery = PageParams & { status?: InstanceStatus, workflow?: string, waiting_for?: WaitingFor }
  fastify.get<{ Querystring: ListQuery }>('/', { onRequest: fastify.requireAdmin, schema: INSTANCE_ROUTES.list }, async (request) => {
    const { status, workflow, waiting_for: waitingFor } = request.query
    const q = pageOf(request.query)
    const filters = { ...(status !== undefined ? { status } : {}), ...(workflow !== undefined ? { workflow } : {}), ...(waitingFor !== undefined ? { waiting_for: waitingFor } : {}) }
    const { rows, total } = await listInstances(appOf(request).sql, { ...filters, page: q.page, perPage: q.perPage })
    return { data: rows.map(instanceView), meta: { page: q.page, per_page: q.perPage, total } }
  })

  fastify.get<{ Querystring: PageParams }>('/pending', { schema: INSTANCE_ROUTES.pending }, async (request) => {
    const q = pageOf(request.query)
    const user = request.user
    const { rows, total } = await listPending(appOf(request).sql, { id: user.id, roles: user.roles, admin: isAdmin(user) }, q)
    return { data: rows.map(instanceView), meta: { page: q.page, per_page: q.perPage, total } }
  })

  fastify.get<IdParams>('/:id', { schema: INSTANCE_ROUTES.get }, async (request) => {
    return { data: instanceView(await readInstance(appOf(request), request.user, request.params.id)) }
  })

  for (const [verb, approve] of [['approve', true], ['reject', false]] as const) {
    fastify.post<IdParams & { Body: { comment?: string | null } }>(`/:id/${verb}`, { schema: INSTANCE_ROUTES[verb], preValidation: noBodyAsEmpty }, async (request) => {
      const comment = request.body.comment ?? null
      const row = await decide(appOf(request), { user: request.user, id: request.params.id, approve, comment })
      return { data: instanceView(row) }
    })
  }
}
