import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { workflowRuntimeOf } from '../lib/workflows/module.js'
import { startWorkflowScheduler } from '../lib/workflows/scheduler.js'

/**
 * Drives workflow instances for this server: hands the engine's write hooks to the runtime
 * (step writes go through the whole write path), and runs one scheduler (approval timeouts,
 * due waits, instances interrupted by a restart) over every open app once the server is ready.
 * On close — before the platform closes the pools — the scheduler stops and the runs under way finish.
 */
async function workflowsPlugin (fastify: FastifyInstance): Promise<void> {
  const runtime = workflowRuntimeOf(fastify.platform.engine)
  if (runtime === null) return
  runtime.bind({
    hooks: fastify.platform.engine.writeHooks,
    log: { error: (obj, msg) => fastify.log.error(obj, msg), warn: (obj, msg) => fastify.log.warn(obj, msg) }
  })
  let scheduler: ReturnType<typeof startWorkflowScheduler> | null = null
  fastify.addHook('onReady', async () => {
    scheduler = startWorkflowScheduler({ runtime, apps: async () => await fastify.platform.apps.openContexts() })
  })
  fastify.addHook('onClose', async () => {
    await scheduler?.stop()
    await runtime.close()
  })
}

export default fp(workflowsPlugin, { name: 'workflows', fastify: '5.x', dependencies: ['platform'] })
