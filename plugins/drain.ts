import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'

/**
 * During a drain (after `close()`), every response still being answered says
 * `Connection: close`, so Node closes its keep-alive socket once it is sent and the server's
 * close completes (docs/ARCHITECTURE.md, "Boot and shutdown"). Fastify itself sets it only on
 * requests that arrive after the close began.
 */
async function drainPlugin (fastify: FastifyInstance): Promise<void> {
  let draining = false
  fastify.addHook('preClose', async () => { draining = true })
  // Callback style: it runs on every response, and an async hook costs a promise and a microtask turn.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (draining && reply.raw.req.httpVersionMajor < 2) reply.header('connection', 'close')
    done(null, payload)
  })
}

export default fp(drainPlugin, { name: 'drain', fastify: '5.x' })
