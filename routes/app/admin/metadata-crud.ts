import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { announceMetadataChange } from '../../../lib/platform/boot.js'
import { dataEnvelope, ENTITY_FILTER_QUERY, keyParams, type Schema } from '../../../lib/schema/route-schemas.js'

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

/** The declared schemas of one metadata kind (`lib/<module>/schemas.ts`) and its name in summaries. */
export interface MetadataSchemas {
  /** Singular, e.g. `rule`, `state machine`. */
  one: string
  /** The URL segment under `/_admin` (`rules`, `state-machines`): operation ids `admin_list_rules`, `admin_create_rule`. */
  kind: string
  item: Schema
  create: Schema
  update: Schema
  /** Query string of `DELETE` (entities: `?drop=true`); none by default. */
  removeQuery?: Schema
  /** What a create does beside storing, for its summary (default: recompiles the app's metadata). */
  effect?: string
  /** Summary of `PUT` (default: a partial update). */
  updateSummary?: string
}

/** Route schemas of the five operations: validation, serialization and OpenAPI from one object each. */
function crudSchemas (s: MetadataSchemas, key: string): Record<'list' | 'get' | 'create' | 'update' | 'remove', Record<string, unknown>> {
  const params = keyParams(key)
  const one = dataEnvelope(s.item)
  const tags = ['admin']
  const id = (verb: string): string => `admin_${verb}_${s.one.replace(/ /g, '_')}`
  const effect = s.effect ?? 'recompiles the app\'s metadata'
  const removed = dataEnvelope({ type: 'object', required: [key], properties: { [key]: { type: 'string' } }, additionalProperties: false })
  return {
    list: { operationId: `admin_list_${s.kind.replace(/-/g, '_')}`, summary: `List ${s.one} definitions`, tags, querystring: ENTITY_FILTER_QUERY, response: { 200: dataEnvelope({ type: 'array', items: s.item }) } },
    get: { operationId: id('get'), summary: `Get a ${s.one}`, tags, params, response: { 200: one } },
    create: { operationId: id('create'), summary: `Create a ${s.one} (${effect})`, tags, body: s.create, response: { 201: one }, errors: [409] },
    update: { operationId: id('update'), summary: s.updateSummary ?? `Update a ${s.one}: omitted keys keep their stored values`, tags, params, body: s.update, response: { 200: one }, errors: [409] },
    remove: { operationId: id('delete'), summary: `Delete a ${s.one}`, tags, params, ...(s.removeQuery !== undefined ? { querystring: s.removeQuery } : {}), response: { 200: removed }, errors: [409] }
  }
}

/**
 * `GET /`, `GET /:key`, `POST /` (201), `PUT /:key`, `DELETE /:key` for a metadata kind under
 * `/_admin/<kind>`. `key` is the URL parameter name (`id`, or `name` for entities and
 * relations) and the key of the delete answer (`{data: {id}}`). With `schemas`, every route
 * declares its schema (docs/ARCHITECTURE.md, "Route schemas").
 */
export function metadataCrudRoutes<T> (crud: MetadataCrud<T>, key: 'id' | 'name' = 'id', schemas?: MetadataSchemas): FastifyPluginAsync {
  const declared = schemas === undefined ? undefined : crudSchemas(schemas, key)
  return async function routes (fastify: FastifyInstance): Promise<void> {
    const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext
    const keyOf = (request: FastifyRequest): string => (request.params as Record<string, string>)[key] ?? ''
    const announce = async (app: AppContext): Promise<void> => { await announceMetadataChange(fastify.platform, app.name) }

    fastify.get('/', { schema: declared?.list }, async (request) => {
      const entity = (request.query as { entity?: unknown }).entity
      return { data: await crud.list(appOf(request), typeof entity === 'string' ? { entity } : {}) }
    })

    fastify.get(`/:${key}`, { schema: declared?.get }, async (request) => ({ data: await crud.get(appOf(request), keyOf(request)) }))

    fastify.post('/', { schema: declared?.create }, async (request, reply) => {
      const app = appOf(request)
      const item = await crud.create(app, request.body)
      await announce(app)
      return await reply.code(201).send({ data: item })
    })

    fastify.put(`/:${key}`, { schema: declared?.update }, async (request) => {
      const app = appOf(request)
      const item = await crud.update(app, keyOf(request), request.body)
      await announce(app)
      return { data: item }
    })

    fastify.delete(`/:${key}`, { schema: declared?.remove }, async (request) => {
      const app = appOf(request)
      await crud.remove(app, keyOf(request), request.query as Record<string, unknown>)
      await announce(app)
      return { data: { [key]: keyOf(request) } }
    })
  }
}
