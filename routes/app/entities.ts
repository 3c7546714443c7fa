import type { FastifyInstance } from 'fastify'
export default async function entityRoutes (_fastify: FastifyInstance): Promise<void> {}
