import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { RealtimeHub } from '../lib/realtime/hub.js'
import { realtimeSignalOf } from '../lib/realtime/module.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The process-wide realtime fan-out (null when the engine has no realtime module). */
    realtime: RealtimeHub | null
  }
}

/**
 * Runs the realtime fan-out of this server (docs/ARCHITECTURE.md "Realtime"): binds the engine's
 * after-commit signal to the hub, LISTENs once the server is ready, runs the poll and the
 * retention job. Streams end before the server waits for its connections (`preClose`):
 * every change committed so far is sent, then `event: reconnect`.
 */
async function realtimePlugin (fastify: FastifyInstance): Promise<void> {
  const { platform } = fastify
  const signal = realtimeSignalOf(platform.engine)
  if (signal === null) { fastify.decorate('realtime', null); return }
  const { config } = platform
  const hub = new RealtimeHub({
    retentionSeconds: config.realtimeRetention,
    heartbeatMs: config.realtimeHeartbeatMs,
    maxBuffered: config.realtimeMaxBuffered,
    pollIntervalMs: config.realtimePollIntervalMs,
    pruneIntervalMs: config.realtimePruneIntervalMs,
    batchMs: config.realtimeBatchMs,
    writesPerSecond: config.realtimeWritesPerSecond
  }, {
    sql: platform.sql,
    instanceId: platform.instanceId,
    apps: async () => await platform.apps.openContexts(),
    isCurrent: (app) => platform.apps.peek(app.name) === app,
    log: { error: (obj, msg) => { fastify.log.error(obj, msg) } }
  })
  fastify.decorate('realtime', hub)
  signal.onCommit = (app) => { hub.changed(app) }
  fastify.addHook('onReady', async () => { await hub.start() })
  fastify.addHook('preClose', async () => {
    signal.onCommit = null
    await hub.close()
  })
}

export default fp(realtimePlugin, { name: 'realtime', fastify: '5.x', dependencies: ['platform'] })
