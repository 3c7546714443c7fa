import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'

/**
 * Baseline security headers on every response. Kept to headers that cannot break the
 * Swagger UI or admin UI pages (no blanket CSP here).
 */
async function securityHeaders (fastify: FastifyInstance): Promise<void> {
  // Callback style: on every response, an async hook would cost a promise and a microtask turn.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff')
    reply.header('x-frame-options', 'SAMEORIGIN')
    reply.header('referrer-policy', 'no-referrer')
    reply.removeHeader('x-powered-by')
    done(null, payload)
  })
}

export default fp(securityHeaders, { name: 'security-headers', fastify: '5.x' })
