import type { FastifyInstance, FastifyReply } from 'fastify'
import { rateLimited } from '../lib/errors.js'

/**
 * Counts one call of `what` by a user against its per-minute limit in the shared store
 * (`fastify.rateLimits`, docs/security.md); over it: 429 RATE_LIMITED with Retry-After.
 */
export async function limitPerUser (fastify: FastifyInstance, reply: FastifyReply, at: { what: 'events' | 'uploads', app: string, user: string, maxPerMinute: number }): Promise<void> {
  const key = JSON.stringify([at.what, at.app, at.user])
  const wait = await fastify.rateLimits.hit([{ key, max: at.maxPerMinute }], 60)
  if (wait === 0) return
  void reply.header('retry-after', String(wait))
  throw rateLimited(`Rate limit of ${at.maxPerMinute} ${at.what} per minute reached; retry in ${wait} seconds`, [
    { rule: 'rate_limit', message: `retry after ${wait} seconds` }
  ])
}
