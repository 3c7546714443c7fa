import type { Engine, EngineModule } from '../engine/modules.js'
import { registerActionHandler } from '../state-machines/side-effects.js'
import { handleWebhookAction } from './actions.js'
import { compileWebhooks, WEBHOOKS } from './compile.js'
import { afterWebhooksDue, beforeWebhooksNeedOld, callsWebhooksSync, dispatchCommitted, runAfterWebhooks, runBeforeWebhooks } from './hooks.js'
import { WebhookRuntime } from './runtime.js'
import { webhookSettings, type WebhookSettings } from './settings.js'
import { loadActiveWebhooks } from './store.js'

let handlerRegistered = false

/** The webhook engine module, with the delivery runtime the scheduler plugin drives. */
export interface WebhooksModule extends EngineModule {
  runtime: WebhookRuntime
}

/**
 * Webhooks (docs/reference.md, "Webhooks") as an engine module, after rules and state machines in the pipeline:
 * active webhooks are compiled once per metadata version into `registry.extensions`;
 * `beforeWrite` calls before_* webhooks (sync: a failure rolls the write back), `afterRow`
 * writes the outbox row of async after_* webhooks in the data change's transaction (or calls a
 * sync one), `afterCommit` hands the committed rows to the runtime for delivery. It also
 * handles state-machine `webhook` actions.
 */
export function webhooksModule (settings: WebhookSettings = webhookSettings()): WebhooksModule {
  const runtime = new WebhookRuntime(settings)
  // Once per process: the handler finds the runtime through the app's registry (so several
  // servers in one process each deliver their own), and a handler registered later stays.
  if (!handlerRegistered) {
    registerActionHandler('webhook', handleWebhookAction)
    handlerRegistered = true
  }
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
    }
  }
}

/** The webhook runtime of an engine (null when the engine has no webhook module). */
export function webhookRuntimeOf (engine: Engine): WebhookRuntime | null {
  const m = engine.modules.find((x) => x.name === WEBHOOKS) as WebhooksModule | undefined
  return m?.runtime ?? null
}
