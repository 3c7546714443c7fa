import type { FastifyInstance } from 'fastify'
import adminRoutes from './admin/index.js'
import appAuthRoutes from './auth.js'
import { collectRoutes, docsPageRoutes, openApiRoutes } from './docs.js'
import entityRoutes from './entities.js'
import eventRoutes from './events.js'
import fileRoutes from './files.js'
import oidcLoginRoutes from './oidc.js'
import realtimeRoutes from './realtime.js'
import uiRoutes from './ui.js'
import workflowRoutes from './workflows.js'

/**
 * Everything under `/api/:app`. The app is resolved first (404 APP_NOT_FOUND); auth routes are
 * public, and so is the Swagger UI page (`_docs`); everything else, the OpenAPI document
 * included, requires a token of this app (or a platform token).
 */
export default async function appScope (fastify: FastifyInstance): Promise<void> {
  // First, so that the OpenAPI document sees every route registered below.
  const routes = collectRoutes(fastify)
  fastify.addHook('onRequest', fastify.resolveApp)
  // Read-your-writes across replicas (docs/ARCHITECTURE.md, "Read replicas").
  fastify.addHook('onRequest', fastify.replicaHooks.minLsn)
  fastify.addHook('onSend', fastify.replicaHooks.commitLsn)
  await fastify.register(appAuthRoutes, { prefix: '/auth' })
  await fastify.register(oidcLoginRoutes, { prefix: '/auth/oidc' })
  await fastify.register(docsPageRoutes)
  // Its own scope: it also accepts `?access_token=` (EventSource sends no headers).
  await fastify.register(realtimeRoutes)
  await fastify.register(async (authed) => {
    authed.addHook('onRequest', authed.authenticateApp)
    await authed.register(openApiRoutes, { routes })
    await authed.register(adminRoutes, { prefix: '/_admin' })
    await authed.register(fileRoutes, { prefix: '/_files' })
    await authed.register(uiRoutes, { prefix: '/_ui' })
    await authed.register(eventRoutes, { prefix: '/_events' })
    await authed.register(workflowRoutes, { prefix: '/_workflows' })
    await authed.register(entityRoutes)
  })
}
