import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { AppContext } from '../lib/apps/context.js'
import { appNotFound } from '../lib/errors.js'

declare module 'fastify' {
  interface FastifyRequest {
    appCtx: AppContext | null
  }
  interface FastifyInstance {
    /** onRequest hook for `/api/:app/...` routes: resolves `:app` or answers APP_NOT_FOUND. */
    resolveApp: onRequestHookHandler
  }
}

async function appResolver (fastify: FastifyInstance): Promise<void> {
  const { apps } = fastify.platform
  fastify.decorateRequest('appCtx', null)
  // Callback style with a synchronous path: every app request runs it, and an open app (the
  // usual case) needs no promise; the first request of an app waits for it to open.
  fastify.decorate('resolveApp', function resolveApp (request: FastifyRequest, _reply, done) {
    const name = (request.params as { app?: string }).app ?? ''
    const open = apps.peek(name)
    if (open !== undefined) {
      request.appCtx = open
      done()
      return
    }
    apps.get(name).then((ctx) => {
      if (ctx === null) { done(appNotFound(`App '${name}' not found`)); return }
      request.appCtx = ctx
      done()
    }, done)
  } satisfies onRequestHookHandler)
}

export default fp(appResolver, { name: 'app-resolver', fastify: '5.x', dependencies: ['platform'] })
