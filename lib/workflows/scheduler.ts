import type { AppContext } from '../apps/context.js'
import type { WorkflowRuntime } from './runtime.js'

/** A running scheduler; `stop` waits for the tick under way. */
export interface WorkflowScheduler {
  stop: () => Promise<void>
}

/**
 * Every `pollIntervalMs`, runs one `runtime.tick` over every open app: approvals past their
 * timeout, waits that are due, and instances left `running` by a process that died. Ticks
 * never overlap; claims use SKIP LOCKED, so several server processes share the work.
 */
export function startWorkflowScheduler (opts: { runtime: WorkflowRuntime, apps: () => Promise<AppContext[]> }): WorkflowScheduler {
  const { runtime } = opts
  let timer: NodeJS.Timeout | null = null
  let running: Promise<void> | null = null
  let stopped = false
  const tick = async (): Promise<void> => {
    try {
      await runtime.tick(await opts.apps())
    } catch (err) {
      runtime.log.error({ err }, 'workflow scheduler tick failed')
    }
  }
  const schedule = (): void => {
    if (stopped) return
    timer = setTimeout(() => {
      running = tick().finally(() => { running = null; schedule() })
    }, runtime.settings.pollIntervalMs)
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
