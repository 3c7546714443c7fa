import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { redactAccessToken } from '../lib/realtime/redact.js'

/**
 * `LOG_REQUESTS=true`: ONE info line per request when its response ends (method, URL with `access_token`
 * redacted, status, time in ms, the trace id as `reqId`) instead of Fastify's two ("incoming
 * request" + "request completed"), which `buildApp` turns off. Off by default: in production a
 * proxy or load balancer usually keeps the access log, and two lines per request cost ~9 % of a
 * get by id (bench/RESULTS.md). Errors are logged either way (plugins/error-handler.ts).
 */
async function requestLog (fastify: FastifyInstance, opts: { enabled: boolean }): Promise<void> {
  if (!opts.enabled) return
  // On the socket's 'close' rather than `onResponse`: streams the route takes over (realtime SSE)
  // and requests the client aborts are logged too, when they end.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.raw.once('close', () => {
      request.log.info({ method: request.method, url: redactAccessToken(request.url), status: reply.raw.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request')
    })
    done()
  })
}

export default fp(requestLog, { name: 'request-log', fastify: '5.x' })
