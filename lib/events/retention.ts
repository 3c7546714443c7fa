import type { AppContext } from '../apps/context.js'
import { deleteExpired } from './write.js'

export interface RetentionOptions {
  /** The apps to clean (the open ones: every app after startup). */
  apps: () => Promise<AppContext[]>
  days: number
  intervalMs: number
  /** Delay of the first pass after start (startup stays quick). */
  firstDelayMs: number
  log: { warn: (obj: unknown, msg?: string) => void }
}

/** The running retention job: `runNow` for tests and operations, `stop` on shutdown. */
export interface RetentionJob {
  /** One pass over every app now (waits for a pass already under way first); returns the rows deleted. */
  runNow: () => Promise<number>
  stop: () => Promise<void>
}

/**
 * Deletes `_events` rows older than `days` in every open app, every `intervalMs` (passes never
 * overlap). A failing app is logged and skipped; the next pass tries again.
 */
export function startRetention (opts: RetentionOptions): RetentionJob {
  let running: Promise<number> | null = null
  let stopped = false

  const pass = async (): Promise<number> => {
    let deleted = 0
    for (const app of await opts.apps()) {
      if (stopped) break
      try {
        deleted += await deleteExpired(app.sql, { days: opts.days })
      } catch (err) {
        opts.log.warn({ err, app: app.name }, 'events retention failed')
      }
    }
    return deleted
  }
  const runNow = async (): Promise<number> => {
    // eslint-disable-next-line no-unmodified-loop-condition -- cleared by the pass's finally
    while (running !== null) await running.catch(() => 0)
    running = pass().finally(() => { running = null })
    return await running
  }
  const tick = (): void => {
    if (running === null && !stopped) void runNow().catch((err: unknown) => { opts.log.warn({ err }, 'events retention failed') })
  }
  const first = setTimeout(tick, opts.firstDelayMs)
  const timer = setInterval(tick, opts.intervalMs)
  first.unref()
  timer.unref()
  return {
    runNow,
    stop: async () => {
      stopped = true
      clearTimeout(first)
      clearInterval(timer)
      await running?.catch(() => 0)
    }
  }
}
