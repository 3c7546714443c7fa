import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { announceMetadataChange } from '../../../lib/platform/boot.js'
import { createMachine, deleteMachine, getMachine, listMachines, updateMachine } from '../../../lib/state-machines/admin.js'

type IdParams = { Params: { id: string } }

/** State machines (`/_admin/state-machines`); every change recompiles the app's registry. */
export default async function stateMachineAdminRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext
  const announce = async (app: AppContext): Promise<void> => { await announceMetadataChange(fastify.platform, app.name) }

  fastify.get<{ Querystring: { entity?: string } }>('/', async (request) => {
    const entity = typeof request.query.entity === 'string' ? request.query.entity : undefined
    return { data: await listMachines(appOf(request), entity) }
  })

  fastify.get<IdParams>('/:id', async (request) => ({ data: await getMachine(appOf(request), request.params.id) }))

  fastify.post('/', async (request, reply) => {
    const app = appOf(request)
    const row = await createMachine(app, request.body)
    await announce(app)
    return await reply.code(201).send({ data: row })
  })

  fastify.put<IdParams>('/:id', async (request) => {
    const app = appOf(request)
    const row = await updateMachine(app, request.params.id, request.body)
    await announce(app)
    return { data: row }
  })

  fastify.delete<IdParams>('/:id', async (request) => {
    const app = appOf(request)
    await deleteMachine(app, request.params.id)
    await announce(app)
    return { data: { id: request.params.id } }
  })
}
