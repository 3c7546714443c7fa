import type { AppContext } from '../apps/context.js'
import { startPoller, type Poller } from '../jobs/poller.js'
import type { WorkflowRuntime } from './runtime.js'

/**
 * Every `pollIntervalMs`, runs one `runtime.tick` over every open app: approvals past their
 * timeout, waits that are due, and instances left `running` by a process that died. Ticks
 * never overlap; claims use SKIP LOCKED, so several server processes share the work.
 */
export function startWorkflowScheduler (opts: { runtime: WorkflowRuntime, apps: () => Promise<AppContext[]> }): Poller {
  const { runtime } = opts
  return startPoller({
    intervalMs: runtime.settings.pollIntervalMs,
    pass: async () => { await runtime.tick(await opts.apps()) },
    onError: (err) => { runtime.log.error({ err }, 'workflow scheduler tick failed') }
  })
}
