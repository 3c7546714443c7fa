import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { RealtimeHub } from '../lib/realtime/hub.js'
import { realtimeModuleOf } from '../lib/realtime/module.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The process-wide realtime fan-out (null when the engine has no realtime module, or before it started). */
    realtime: RealtimeHub | null
  }
}

/**
 * Exposes the realtime module's fan-out (docs/ARCHITECTURE.md "Realtime"; the module builds and
 * starts it with the engine: plugins/engine.ts). Streams end before the server waits for its
 * connections (`preClose`): every change committed so far is sent, then `event: reconnect`.
 */
async function realtimePlugin (fastify: FastifyInstance): Promise<void> {
  const realtime = realtimeModuleOf(fastify.platform.engine)
  if (realtime === null) { fastify.decorate('realtime', null); return }
  fastify.decorate('realtime', { getter: () => realtime.hub })
  fastify.addHook('preClose', async () => { await realtime.closeStreams() })
}

export default fp(realtimePlugin, { name: 'realtime', fastify: '5.x', dependencies: ['platform'] })
