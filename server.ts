import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { ConfigError, loadConfig, type Config } from './config/index.js'
import { requestLogSerializer } from './lib/realtime/redact.js'

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

const app = await buildApp({
  config,
  logger: {
    level: config.logLevel,
    // Tokens and secrets must never reach the log.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'body.password', 'body.refresh_token'],
    // The realtime route's `?access_token=` is part of the URL.
    serializers: { req: requestLogSerializer }
  }
})

closeWithGrace({ delay: 10000 }, async ({ signal, err }) => {
  if (err !== undefined) app.log.error({ err }, 'server closing after error')
  else app.log.info(`${String(signal)} received, shutting down`)
  await app.close()
})

await app.listen({ port: config.port, host: config.host })
