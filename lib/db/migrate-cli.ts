// `npm run db:migrate`: brings the management database and every app database to the newest
// migration and exits. It runs the server's own boot path (lib/platform/boot.ts: embedded
// PostgreSQL unless DATABASE_URL is set, management migrations, then each app's), so a database
// migrated here is exactly what a starting server would make of it (docs/ARCHITECTURE.md,
// "Boot and shutdown"). Failures print one line, like a failed server start.
import { ConfigError, loadConfig } from '../../config/index.js'
import { createEngine } from '../engine/modules.js'
import { engineModules } from '../engine/registry-of-modules.js'
import { bootFailureLine } from '../platform/boot-error.js'
import { bootPlatform } from '../platform/boot.js'
import { stopAllEmbedded } from './embedded.js'

const log = {
  info: (m: string) => { console.log(m) },
  warn: (m: string) => { console.warn(m) },
  error: (obj: unknown, m?: string) => { console.error(m ?? '', obj) }
}

try {
  const config = loadConfig()
  const platform = await bootPlatform(config, log, createEngine(engineModules({ config })))
  const apps = await platform.apps.list()
  await platform.close()
  console.log(`migrated the management database and ${apps.length} app database${apps.length === 1 ? '' : 's'}`)
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : bootFailureLine(err))
  await stopAllEmbedded()
  process.exitCode = 1
}
