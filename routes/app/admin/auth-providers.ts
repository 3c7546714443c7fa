import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import {
  createProvider, deleteProvider, getProvider, listProviders, updateProvider, type ProviderDeps, type ProviderInput
} from '../../../lib/oidc/providers.js'
import {
  createProviderSchema, deleteProviderSchema, getProviderSchema, listProvidersSchema, updateProviderSchema
} from '../../../lib/oidc/schemas.js'

type IdParams = { Params: { id: string } }

/**
 * `/_admin/auth-providers`: the app's OpenID Connect providers (docs/reference.md, "Federated
 * login"). The client secret is write-only: stored encrypted, shown as `has_secret`, replaced
 * only when a PUT sends it (null removes it).
 */
export default async function authProviderAdminRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext
  const deps = (request: FastifyRequest): ProviderDeps => ({
    app: appOf(request),
    policy: { allowedHosts: [], allowPrivate: fastify.platform.config.webhookAllowPrivate }
  })

  fastify.get('/', { schema: listProvidersSchema }, async (request) => ({ data: await listProviders(appOf(request)) }))

  fastify.get<IdParams>('/:id', { schema: getProviderSchema }, async (request) => ({ data: await getProvider(appOf(request), request.params.id) }))

  fastify.post<{ Body: ProviderInput }>('/', { schema: createProviderSchema }, async (request, reply) => {
    return await reply.code(201).send({ data: await createProvider(deps(request), request.body) })
  })

  fastify.put<IdParams & { Body: ProviderInput }>('/:id', { schema: updateProviderSchema }, async (request) => ({
    data: await updateProvider(deps(request), request.params.id, request.body)
  }))

  fastify.delete<IdParams>('/:id', { schema: deleteProviderSchema }, async (request) => {
    await deleteProvider(appOf(request), request.params.id)
    return { data: { id: request.params.id } }
  })
}
