import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { removeOrphanFiles } from '../lib/files/cleanup.js'
import { startPoller, type Poller } from '../lib/jobs/poller.js'

/** How often each process looks for orphan uploads (the job is cheap when there are none). */
const INTERVAL_MS = 3600 * 1000

/**
 * Removes, hourly, uploads no record referenced within a day, in every open app
 * (`lib/files/cleanup.ts`; claimed with SKIP LOCKED, so running it in every process is safe).
 */
async function filesCleanupPlugin (fastify: FastifyInstance): Promise<void> {
  let poller: Poller | null = null
  fastify.addHook('onReady', async () => {
    poller = startPoller({
      intervalMs: INTERVAL_MS,
      pass: async () => {
        for (const app of await fastify.platform.apps.openContexts()) {
          const n = await removeOrphanFiles(app.sql, fastify.platform.files)
          if (n > 0) fastify.log.info({ app: app.name, removed: n }, 'removed files never linked to a record')
        }
      },
      onError: (err) => { fastify.log.error({ err }, 'orphan file cleanup failed') }
    })
  })
  fastify.addHook('onClose', async () => { await poller?.stop() })
}

export default fp(filesCleanupPlugin, { name: 'files-cleanup', fastify: '5.x', dependencies: ['platform'] })
