import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { API_KEY_REVOCATIONS, apiKeyCacheOf } from '../../../lib/auth/api-key-cache.js'
import { createApiKey, getApiKey, listApiKeys, revokeApiKey, type ApiKeyInput, type ApiKeyRecord } from '../../../lib/auth/api-keys.js'
import { createApiKeySchema, getApiKeySchema, listApiKeysSchema, revokeApiKeySchema } from '../../../lib/auth/api-keys-schemas.js'

type IdParams = { Params: { id: string } }

/** `/_admin/api-keys` (docs/reference.md, "API keys"): create (key shown once), list, get, revoke (DELETE). */
export default async function apiKeyAdminRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  fastify.get<{ Querystring: { status?: ApiKeyRecord['status'] } }>('/', { schema: listApiKeysSchema }, async (request) =>
    ({ data: await listApiKeys(appOf(request).sql, request.query.status) }))

  fastify.get<IdParams>('/:id', { schema: getApiKeySchema }, async (request) => ({ data: await getApiKey(appOf(request).sql, request.params.id) }))

  fastify.post<{ Body: ApiKeyInput }>('/', { schema: createApiKeySchema }, async (request, reply) => {
    const created = await createApiKey(appOf(request).sql, request.body, request.user.apiKey === true ? null : request.user.id)
    return await reply.code(201).send({ data: created })
  })

  fastify.delete<IdParams>('/:id', { schema: revokeApiKeySchema }, async (request) => {
    const app = appOf(request)
    const key = await revokeApiKey(app.sql, request.params.id)
    apiKeyCacheOf(app).forget(key.id)
    await API_KEY_REVOCATIONS.announce(fastify.platform, app.name, [key.id])
    return { data: { id: key.id } }
  })
}
