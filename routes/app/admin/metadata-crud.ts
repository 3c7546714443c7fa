import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { announceMetadataChange } from '../../../lib/platform/boot.js'

/**
 * The five operations of one metadata kind. Services validate, persist and rebuild the app's
 * registry before they return; the routes add the envelope and tell other processes.
 */
export interface MetadataCrud<T> {
  list: (app: AppContext, filter: { entity?: string }) => Promise<T[]> | T[]
  get: (app: AppContext, key: string) => Promise<T> | T
  create: (app: AppContext, body: unknown) => Promise<T>
  update: (app: AppContext, key: string, body: unknown) => Promise<T>
  remove: (app: AppContext, key: string, query: Record<string, unknown>) => Promise<void>
}

/**
 * `GET /`, `GET /:key`, `POST /` (201), `PUT /:key`, `DELETE /:key` for a metadata kind under
 * `/_admin/<kind>`. `key` is the URL parameter name (`id`, or `name` for entities and
 * relations) and the key of the delete answer (`{data: {id}}`).
 */
export function metadataCrudRoutes<T> (crud: MetadataCrud<T>, key: 'id' | 'name' = 'id'): FastifyPluginAsync {
  return async function routes (fastify: FastifyInstance): Promise<void> {
    const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext
    const keyOf = (request: FastifyRequest): string => (request.params as Record<string, string>)[key] ?? ''
    const announce = async (app: AppContext): Promise<void> => { await announceMetadataChange(fastify.platform, app.name) }

    fastify.get('/', async (request) => {
      const entity = (request.query as { entity?: unknown }).entity
      return { data: await crud.list(appOf(request), typeof entity === 'string' ? { entity } : {}) }
    })

    fastify.get(`/:${key}`, async (request) => ({ data: await crud.get(appOf(request), keyOf(request)) }))

    fastify.post('/', async (request, reply) => {
      const app = appOf(request)
      const item = await crud.create(app, request.body)
      await announce(app)
      return await reply.code(201).send({ data: item })
    })

    fastify.put(`/:${key}`, async (request) => {
      const app = appOf(request)
      const item = await crud.update(app, keyOf(request), request.body)
      await announce(app)
      return { data: item }
    })

    fastify.delete(`/:${key}`, async (request) => {
      const app = appOf(request)
      await crud.remove(app, keyOf(request), request.query as Record<string, unknown>)
      await announce(app)
      return { data: { [key]: keyOf(request) } }
    })
  }
}
