import type { FastifyInstance } from 'fastify'

/** Liveness and database reachability: 200 `{status:"ok",database:"ok"}`, 503 when the database is down. */
export default async function healthRoutes (fastify: FastifyInstance): Promise<void> {
  fastify.get('/health', async (_request, reply) => {
    try {
      await fastify.platform.sql`SELECT 1`
      return { status: 'ok', database: 'ok' }
    } catch {
      return reply.code(503).send({ status: 'degraded', database: 'unreachable' })
    }
  })
}
