import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { rateLimited } from '../lib/errors.js'

/**
 * Runs a login attempt under the login rate limit (per client IP and per account within
 * `scope`: an app name or `_platform`). Over the limit: 429 RATE_LIMITED with a Retry-After
 * header, before any password check. A failed attempt (the work throws) stays counted; a
 * successful one clears the account's counter.
 */
export async function limitedLogin<T> (fastify: FastifyInstance, at: { request: FastifyRequest, reply: FastifyReply, scope: string }, work: () => Promise<T>): Promise<T> {
  const body = at.request.body as { email?: unknown } | null | undefined
  const key = { ip: at.request.ip, scope: at.scope, email: typeof body?.email === 'string' ? body.email : '' }
  const wait = await fastify.loginLimiter.attempt(key)
  if (wait > 0) {
    void at.reply.header('retry-after', String(wait))
    throw rateLimited(`Too many login attempts; retry in ${wait} seconds`, [{ rule: 'rate_limit', message: `retry after ${wait} seconds` }])
  }
  const result = await work()
  await fastify.loginLimiter.succeeded(key)
  return result
}
