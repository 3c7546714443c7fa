import type { AppContext } from '../apps/context.js'
import type { WebhookRuntime } from './runtime.js'

/** A running scheduler; `stop` waits for the tick under way. */
export interface WebhookScheduler {
  stop: () => Promise<void>
}

/**
 * Every `intervalMs`, claims and delivers the due webhook rows of every open app: retries whose
 * backoff passed, and pending rows their writer never dispatched (crash after COMMIT, overload).
 * Ticks never overlap; claims use SKIP LOCKED, so several server processes share the work.
 */
export function startWebhookScheduler (opts: { runtime: WebhookRuntime, apps: () => Promise<AppContext[]>, intervalMs: number }): WebhookScheduler {
  let timer: NodeJS.Timeout | null = null
  let running: Promise<void> | null = null
  let stopped = false
  const tick = async (): Promise<void> => {
    try {
      await opts.runtime.poll(await opts.apps())
    } catch (err) {
      opts.runtime.log.error({ err }, 'webhook scheduler tick failed')
    }
  }
  const schedule = (): void => {
    if (stopped) return
    timer = setTimeout(() => {
      running = tick().finally(() => { running = null; schedule() })
    }, opts.intervalMs)
    // Background work must not keep a process alive on its own.
    timer.unref()
  }
  schedule()
  return {
    stop: async () => {
      stopped = true
      if (timer !== null) clearTimeout(timer)
      if (running !== null) await running
    }
  }
}
