import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { invalidPayload } from '../lib/errors.js'
import { urlHoldsNul } from '../lib/text-guard.js'

/**
 * Refuses a URL carrying `%00` (in a path segment, a filter value, any query parameter) with
 * 400 before any route runs: PostgreSQL cannot store or compare text holding U+0000
 * (docs/VALIDATION.md, "Text values"). Bodies are checked by the JSON parser (plugins/json-body.ts).
 */
async function textGuard (fastify: FastifyInstance): Promise<void> {
  // Callback style: it runs on every request, and an async hook costs a promise and a microtask turn.
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (urlHoldsNul(request.url)) { done(invalidPayload('The URL may not contain U+0000 (%00)', [{ rule: 'text', message: 'path segments and query values may not contain U+0000 (NUL)' }])); return }
    done()
  })
}

export default fp(textGuard, { name: 'text-guard', fastify: '5.x' })
