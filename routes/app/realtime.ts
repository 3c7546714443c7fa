import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppContext } from '../../lib/apps/context.js'
import { streamCredential } from '../../lib/realtime/credential.js'
import { REALTIME_ROUTE } from '../../lib/realtime/schemas.js'
import { parseSubscription } from '../../lib/realtime/subscription.js'
import { Subscriber } from '../../lib/realtime/subscriber.js'
import { checkStreamInterest } from '../../lib/permissions/stream-fields.js'

/**
 * `GET /api/:app/_realtime` (docs/reference.md "Realtime"): a Server-Sent Events stream of
 * the app's committed changes. Browsers' EventSource cannot send headers, so this route — and
 * only this one — also takes the access token as `?access_token=` (the request log redacts
 * it: lib/realtime/redact.ts). Everything is checked before the stream opens (400/403/404 in
 * the standard envelope); after that, problems end the stream with a control event.
 */
export default async function realtimeRoutes (fastify: FastifyInstance): Promise<void> {
  const { engine } = fastify.platform
  const authorizers = engine.modules.filter((m) => m.authorize !== undefined)

  fastify.addHook('onRequest', (request, _reply, done) => {
    const token = (request.query as Record<string, unknown>).access_token
    if (typeof token === 'string' && request.headers.authorization === undefined) request.headers.authorization = `Bearer ${token}`
    done()
  })
  fastify.addHook('onRequest', fastify.authenticateApp)

  fastify.get('/_realtime', { schema: REALTIME_ROUTE }, async (request: FastifyRequest, reply: FastifyReply) => {
    const hub = fastify.realtime
    const app = request.appCtx as AppContext
    const registry = app.registry
    const wanted = parseSubscription(registry, request.query as Record<string, unknown>, request.headers['last-event-id'])
    // An entity the subscriber may not read at all is refused now (403), as a list would be.
    for (const name of wanted.interests.keys()) {
      const entity = registry.entities.get(name)
      if (entity === undefined) continue
      for (const m of authorizers) m.authorize?.({ app, registry, entity, action: 'read', user: request.user })
      const interest = wanted.interests.get(name)
      if (interest !== undefined) checkStreamInterest(registry, entity, interest, request.user)
    }
    if (hub === null || hub.closed) {
      return await reply.code(503).send({ error: { code: 'INTERNAL_ERROR', message: 'Realtime is not available on this server' } })
    }
    reply.hijack()
    const raw = reply.raw
    // Headers hooks set so far (trace id, CORS) go out too: hijacking skips Fastify's own sending.
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) raw.setHeader(k, v)
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-content-type-options': 'nosniff',
      'x-accel-buffering': 'no',
      connection: 'keep-alive'
    })
    const sub = new Subscriber({
      raw,
      app,
      user: request.user,
      interests: wanted.interests,
      credential: streamCredential(app, request.user, request.headers),
      heartbeatMs: hub.settings.heartbeatMs,
      maxBuffered: hub.settings.maxBuffered,
      onEnd: (s) => { hub.remove(s) }
    })
    // The stream shows itself open (headers, `: connected`) only once subscribed: see Subscriber.open.
    try {
      await hub.subscribe(app, sub, wanted.lastEventId)
    } catch (err) {
      request.log.error({ err }, 'realtime subscribe failed')
      sub.end('reconnect')
    }
  })
}
