import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../lib/apps/context.js'
import { appNotFound } from '../lib/errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    appCtx: AppContext | null
  }
  interface FastifyInstance {
    /** onRequest hook for `/api/:app/...` routes: resolves `:app` or answers APP_NOT_FOUND. */
    resolveApp: (request: FastifyRequest) => Promise<void>
  }
}

async function appResolver (fastify: FastifyInstance): Promise<void> {
  fastify.decorateRequest('appCtx', null)
  fastify.decorate('resolveApp', async (request: FastifyRequest) => {
    const name = (request.params as { app?: string }).app ?? ''
    const ctx = await fastify.platform.apps.get(name)
    if (ctx === null) throw appNotFound(`App '${name}' not found`)
    request.appCtx = ctx
  })
}

export default fp(appResolver, { name: 'app-resolver', fastify: '5.x', dependencies: ['platform'] })
