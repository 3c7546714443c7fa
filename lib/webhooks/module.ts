import type { AppContext } from '../apps/context.js'
import type { Engine, EngineLogger, EngineModule } from '../engine/modules.js'
import type { Poller } from '../jobs/poller.js'
import { handleWebhookAction } from './actions.js'
import { compileWebhooks, WEBHOOKS } from './compile.js'
import { afterWebhooksDue, beforeWebhooksNeedOld, callsWebhooksSync, dispatchCommitted, runAfterWebhooks, runBeforeWebhooks } from './hooks.js'
import { WebhookRuntime, type DeliveryAttempt } from './runtime.js'
import { startWebhookScheduler } from './scheduler.js'
import { webhookSettings, type WebhookSettings } from './settings.js'
import { loadActiveWebhooks } from './store.js'

/** The webhook engine module, with its delivery runtime (tests look at its budgets). */
export interface WebhooksModule extends EngineModule {
  runtime: WebhookRuntime
}

/**
 * Webhooks (docs/reference.md, "Webhooks") as an engine module, after rules and state machines in the pipeline:
 * active webhooks are compiled once per metadata version into `registry.extensions`;
 * `beforeWrite` calls before_* webhooks (sync: a failure rolls the write back), `afterRow`
 * writes the outbox row of async after_* webhooks in the data change's transaction (or calls a
 * sync one), `afterCommit` hands the committed rows to the runtime for delivery. It also
 * handles state-machine `webhook` actions. `start` runs the scheduler (retries, crash
 * recovery) over every open app; `stop` ends it and waits for the deliveries under way, which
 * record their outcome before the pools close.
 */
export function webhooksModule (settings: WebhookSettings = webhookSettings(), opts: { log?: EngineLogger, onAttempt?: (app: AppContext, attempt: DeliveryAttempt) => void } = {}): WebhooksModule {
  const runtime = new WebhookRuntime(settings, opts)
  let scheduler: Poller | null = null
  return {
    name: WEBHOOKS,
    runtime,
    load: async (app, registry) => {
      registry.extensions.set(WEBHOOKS, compileWebhooks(await loadActiveWebhooks(app.sql), { app, runtime, registry }))
    },
    writeHooks: {
      name: WEBHOOKS,
      beforeWrite: runBeforeWebhooks,
      needsOld: beforeWebhooksNeedOld,
      afterRow: runAfterWebhooks,
      needsAfterRow: afterWebhooksDue,
      sideEffects: callsWebhooksSync,
      afterCommit: dispatchCommitted
    },
    actions: { webhook: handleWebhookAction },
    start: (host) => {
      scheduler = startWebhookScheduler({ runtime, apps: host.apps, intervalMs: settings.pollIntervalMs })
    },
    stop: async () => {
      await scheduler?.stop()
      await runtime.close()
    }
  }
}

/** The webhook runtime of an engine (null when the engine has no webhook module). */
export function webhookRuntimeOf (engine: Engine): WebhookRuntime | null {
  const m = engine.modules.find((x) => x.name === WEBHOOKS) as WebhooksModule | undefined
  return m?.runtime ?? null
}
