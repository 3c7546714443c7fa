import type { Sql } from '../db/connection.js'
import type { AppManager } from './manager.js'

/**
 * Platform changes between server processes (docs/ARCHITECTURE.md, "Across processes"): an app
 * deleted through one process is let go by every other within a second. Apps created elsewhere
 * need no message: an unknown name is looked up in `_apps` on its first request and never cached
 * as missing.
 */
export const PLATFORM_CHANNEL = 'rocket_platform'

export interface PlatformChannel {
  sql: Sql
  /** This process's id: its own announcements are skipped. */
  instanceId: string
}

/** Tells the other processes that an app is being deleted. */
export async function announceAppDeleted (channel: PlatformChannel, app: string): Promise<void> {
  await channel.sql.notify(PLATFORM_CHANNEL, `${channel.instanceId}:deleted:${app}`)
}

interface Listening {
  apps: Pick<AppManager, 'forget' | 'exists' | 'openContexts'>
  log: { error: (obj: unknown, msg?: string) => void }
}

/**
 * Listens for other processes' platform changes. After a reconnect of the LISTEN connection
 * (a notification may have been missed) every open app is checked against `_apps`.
 */
export async function listenForPlatformChanges (channel: PlatformChannel, { apps, log }: Listening): Promise<() => Promise<void>> {
  let first = true
  const forget = (name: string): void => { apps.forget(name).catch((err: unknown) => { log.error(err, `closing deleted app '${name}' failed`) }) }
  const listener = await channel.sql.listen(PLATFORM_CHANNEL, (payload) => {
    const [origin, kind, app] = payload.split(':')
    if (origin === channel.instanceId || kind !== 'deleted' || app === undefined) return
    forget(app)
  }, () => {
    if (first) { first = false; return }
    void (async () => {
      for (const ctx of await apps.openContexts()) {
        if (!await apps.exists(ctx.name)) forget(ctx.name)
      }
    })().catch((err: unknown) => { log.error(err, 'platform changes resync failed') })
  })
  return async () => { await listener.unlisten().catch(() => {}) }
}
