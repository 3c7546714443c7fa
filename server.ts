import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import { ConfigError, loadConfig, type Config } from './config/index.js'
import { requestLogSerializer } from './lib/realtime/redact.js'
import { stopAllEmbedded } from './lib/db/embedded.js'
import { bootFailureLine } from './lib/platform/boot-error.js'

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
  closeWithGrace({ delay: settings.shutdownTimeout * 1000, logger: { error: (m: unknown) => { server.log.error(m) } } }, async ({ signal, err }) => {
    if (err !== undefined) server.log.error({ err }, 'server closing after error')
    else server.log.info(`${String(signal ?? 'exit')} received, draining`)
    await server.close()
    server.log.info('shutdown complete')
  })
}
