import cluster from 'node:cluster'
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import { ConfigError, loadConfig, type Config } from './config/index.js'
import { requestLogSerializer } from './lib/realtime/redact.js'
import { stopAllEmbedded } from './lib/db/embedded.js'
import { bootFailureLine } from './lib/platform/boot-error.js'
import { runPrimary } from './lib/platform/cluster.js'

let config: Config
try {
  config = loadConfig()
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message)
    process.exit(1)
  }
  throw err
}

// WORKERS > 1: this process only supervises the workers, each of which runs the code below.
if (config.workers > 1 && cluster.isPrimary) await runPrimary(config)

// A failed boot step stops startup with one line naming the cause and the fix; the embedded
// PostgreSQL it may have started is stopped first (docs/ARCHITECTURE.md, "Boot and shutdown").
let app: FastifyInstance | null = null
try {
  app = await buildApp({
    config,
    logger: {
      level: config.logLevel,
      // Tokens and secrets must never reach the log.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'body.password', 'body.refresh_token'],
      // The realtime route's `?access_token=` is part of the URL.
      serializers: { req: requestLogSerializer }
    }
  })
  installShutdown(app, config)
  const worker = cluster.worker
  if (worker !== undefined) {
    // Which worker answered, for operators behind a load balancer (and the cluster tests).
    app.server.prependListener('request', (_req, res) => { res.setHeader('x-rocket-worker', String(worker.id)) })
  }
  await app.listen({ port: config.port, host: config.host })
} catch (err) {
  console.error(bootFailureLine(err))
  if (config.logLevel === 'debug' || config.logLevel === 'trace') console.error(err)
  await app?.close().catch(() => {})
  await stopAllEmbedded()
  process.exit(1)
}

/**
 * SIGTERM/SIGINT drain: Fastify stops accepting, answers the requests already received
 * (plugins/drain.ts adds `Connection: close`) and closes idle keep-alive connections; the
 * plugins' onClose hooks stop the background jobs, flush events, close the pools and stop the
 * embedded PostgreSQL. Exit 0 when done, 1 past SHUTDOWN_TIMEOUT.
 */
function installShutdown (server: FastifyInstance, settings: Config): void {
  // A cluster worker gets the signal twice when the whole process group is signalled (a
  // terminal's Ctrl-C) and the primary forwards it: it handles SIGTERM/SIGINT itself, once, so
  // the second one cannot cut the drain short (close-with-grace exits 1 on a second signal).
  const ownSignals: Array<'SIGTERM' | 'SIGINT'> = cluster.isWorker ? ['SIGTERM', 'SIGINT'] : []
  const closer = closeWithGrace({ delay: settings.shutdownTimeout * 1000, skip: ownSignals, logger: { error: (m: unknown) => { server.log.error(m) } } }, async ({ signal, err, manual }) => {
    if (err !== undefined) server.log.error({ err }, 'server closing after error')
    else if (manual !== true) server.log.info(`${String(signal ?? 'exit')} received, draining`)
    await server.close()
    server.log.info('shutdown complete')
  })
  let draining = false
  for (const signal of ownSignals) {
    process.on(signal, () => {
      if (draining) return
      draining = true
      server.log.info(`${signal} received, draining`)
      void closer.close()
    })
  }
}
