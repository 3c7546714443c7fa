import fp from 'fastify-plugin'
import cors, { type FastifyCorsOptions } from '@fastify/cors'
import type { FastifyInstance } from 'fastify'

/**
 * `CORS_ORIGIN` → @fastify/cors options, or null when CORS is switched off:
 * `*` any origin (the default), `true` reflect the request's origin, `false`/`none` no CORS
 * headers at all, otherwise a comma-separated list of exact origins
 * (`https://a.example,https://b.example`).
 */
export function corsOptionsOf (setting: string): FastifyCorsOptions | null {
  const value = setting.trim()
  if (value === 'false' || value === 'none' || value === 'off') return null
  const origin = value === '*' || value === '' ? '*' : value === 'true' ? true : value.split(',').map((o) => o.trim()).filter((o) => o !== '')
  return {
    origin,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'X-Trace-ID', 'traceparent', 'X-Rocket-Min-LSN'],
    exposedHeaders: ['Retry-After', 'Content-Disposition', 'X-Request-Id', 'X-Trace-ID', 'X-Rocket-Commit-LSN'],
    // Bearer tokens, not cookies: credentialed requests are not needed.
    credentials: false,
    maxAge: 600
  }
}

/** Configurable CORS (docs/reference.md, "Configuration"), answering preflights before any app or auth hook runs. */
async function corsPlugin (fastify: FastifyInstance, opts: { origin: string }): Promise<void> {
  const options = corsOptionsOf(opts.origin)
  if (options !== null) await fastify.register(cors, options)
}

export default fp(corsPlugin, { name: 'cors', fastify: '5.x' })
