import type { AppContext } from '../apps/context.js'
import { startPoller, type Poller } from '../jobs/poller.js'
import type { WebhookRuntime } from './runtime.js'

/**
 * Every `intervalMs`, claims and delivers the due webhook rows of every open app: retries whose
 * backoff passed, and pending rows their writer never dispatched (crash after COMMIT, overload).
 * Ticks never overlap; claims use SKIP LOCKED, so several server processes share the work.
 */
export function startWebhookScheduler (opts: { runtime: WebhookRuntime, apps: () => Promise<AppContext[]>, intervalMs: number }): Poller {
  const { runtime } = opts
  return startPoller({
    intervalMs: opts.intervalMs,
    pass: async () => { await runtime.poll(await opts.apps()) },
    onError: (err) => { runtime.log.error({ err }, 'webhook scheduler tick failed') }
  })
}
