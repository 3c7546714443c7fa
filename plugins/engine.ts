import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'

/**
 * Runs the engine modules' background work (docs/ARCHITECTURE.md, "Engine modules"): started in
 * module order once the server is ready (webhook and workflow schedulers, event retention, the
 * realtime fan-out), stopped in reverse module order on close. Registered right after the
 * platform, so its `onClose` runs after every later plugin's and before the platform closes the pools.
 */
async function enginePlugin (fastify: FastifyInstance): Promise<void> {
  const { platform } = fastify
  fastify.addHook('onReady', async () => {
    await platform.engine.start({
      sql: platform.sql,
      instanceId: platform.instanceId,
      apps: async () => await platform.apps.openContexts(),
      isCurrent: (app) => platform.apps.peek(app.name) === app
    })
  })
  fastify.addHook('onClose', async () => { await platform.engine.stop() })
}

export default fp(enginePlugin, { name: 'engine', fastify: '5.x', dependencies: ['platform'] })
