import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { webhookRuntimeOf } from '../lib/webhooks/module.js'
import { startWebhookScheduler } from '../lib/webhooks/scheduler.js'

/**
 * Drives webhook delivery for this server: one scheduler (retries, crash recovery) over every
 * open app, started when the server is ready. On close — before the platform closes the pools —
 * the scheduler stops and the deliveries under way finish and record their outcome.
 */
async function webhooksPlugin (fastify: FastifyInstance): Promise<void> {
  const runtime = webhookRuntimeOf(fastify.platform.engine)
  if (runtime === null) return
  runtime.log = { error: (obj, msg) => fastify.log.error(obj, msg) }
  let scheduler: ReturnType<typeof startWebhookScheduler> | null = null
  fastify.addHook('onReady', async () => {
    scheduler = startWebhookScheduler({
      runtime,
      apps: async () => await fastify.platform.apps.openContexts(),
      intervalMs: runtime.settings.pollIntervalMs
    })
  })
  fastify.addHook('onClose', async () => {
    await scheduler?.stop()
    await runtime.close()
  })
}

export default fp(webhooksPlugin, { name: 'webhooks', fastify: '5.x', dependencies: ['platform'] })
