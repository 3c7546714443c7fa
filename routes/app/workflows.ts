import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../lib/apps/context.js'
import { invalidPayload } from '../../lib/errors.js'
import { decide, parseDecisionBody, readInstance } from '../../lib/workflows/decide.js'
import { instanceView, listInstances, listPending } from '../../lib/workflows/instances.js'
import { INSTANCE_STATUSES, WAITING_FOR, type InstanceStatus, type WaitingFor } from '../../lib/workflows/types.js'
import { isAdmin } from '../../lib/apps/context.js'
import { parsePagedQuery } from './pagination.js'

type IdParams = { Params: { id: string } }

/**
 * `/api/:app/_workflows`: the workflow runtime for authenticated users. `pending` lists the
 * approvals the caller may decide (assignee role or user; admins see all), `:id` shows an
 * instance with its history (to admins, assignees and anyone in its history), `:id/approve` and
 * `:id/reject` decide (`{comment?}`) and answer with the instance as it stands afterwards.
 * `GET /` lists every instance for the admin monitor (`?status ?workflow ?waiting_for`; a paused
 * instance is `running` with `waiting_for` approval or wait).
 */
export default async function workflowRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  fastify.get('/', { onRequest: fastify.requireAdmin }, async (request) => {
    const q = parsePagedQuery(request.query, ['status', 'workflow', 'waiting_for'])
    const { status, waiting_for: waitingFor } = q.filters
    if (status !== undefined && !INSTANCE_STATUSES.includes(status as InstanceStatus)) {
      throw invalidPayload(`status must be one of: ${INSTANCE_STATUSES.join(', ')}`, [{ field: 'status', message: 'unknown status' }])
    }
    if (waitingFor !== undefined && !WAITING_FOR.includes(waitingFor as WaitingFor)) {
      throw invalidPayload(`waiting_for must be one of: ${WAITING_FOR.join(', ')}`, [{ field: 'waiting_for', message: 'unknown value' }])
    }
    const { rows, total } = await listInstances(appOf(request).sql, { ...q.filters, page: q.page, perPage: q.perPage })
    return { data: rows.map(instanceView), meta: { page: q.page, per_page: q.perPage, total } }
  })

  fastify.get('/pending', async (request) => {
    const q = parsePagedQuery(request.query, [])
    const user = request.user
    const { rows, total } = await listPending(appOf(request).sql, { id: user.id, roles: user.roles, admin: isAdmin(user) }, q)
    return { data: rows.map(instanceView), meta: { page: q.page, per_page: q.perPage, total } }
  })

  fastify.get<IdParams>('/:id', async (request) => {
    return { data: instanceView(await readInstance(appOf(request), request.user, request.params.id)) }
  })

  for (const [verb, approve] of [['approve', true], ['reject', false]] as const) {
    fastify.post<IdParams>(`/:id/${verb}`, async (request) => {
      const comment = parseDecisionBody(request.body)
      const row = await decide(appOf(request), { user: request.user, id: request.params.id, approve, comment })
      return { data: instanceView(row) }
    })
  }
}
