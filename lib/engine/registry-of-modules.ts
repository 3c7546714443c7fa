import { auditModule } from '../audit/module.js'
import { usersModule } from '../auth/module.js'
import { eventSettings } from '../events/instrumenter.js'
import { eventsModule } from '../events/module.js'
import { permissionsModule } from '../permissions/module.js'
import { realtimeSettings } from '../realtime/hub.js'
import { realtimeModule } from '../realtime/module.js'
import { rulesModule } from '../rules/module.js'
import { stateMachinesModule } from '../state-machines/module.js'
import { webhooksModule } from '../webhooks/module.js'
import { webhookSettings } from '../webhooks/settings.js'
import { workflowsModule } from '../workflows/module.js'
import { workflowSettings } from '../workflows/runtime.js'
import type { Config } from '../../config/index.js'
import { silentLogger, type EngineLogger, type EngineModule } from './modules.js'

/**
 * The engine's capabilities in pipeline order (docs/reference.md, "Writing": permissions → rules → computed →
 * state machine → … → audit/webhook outbox → after-commit work), which is also their start order (stop: reversed).
 * Add a module here to plug it in. `config` tunes modules that need it (webhook delivery); without it they use
 * their defaults. `log` receives their background problems (none: silent).
 */
export function engineModules (opts: { config?: Config, log?: EngineLogger } = {}): EngineModule[] {
  const { config } = opts
  const log = opts.log ?? silentLogger
  // Events first: its afterCommit only times the unit, before the others' after-commit work; it stops last (flush).
  const events = eventsModule(eventSettings(config), { log })
  return [events, permissionsModule(), usersModule(), rulesModule(), stateMachinesModule(),
    webhooksModule(webhookSettings(config), { log, onAttempt: events.recordWebhookAttempt }),
    workflowsModule(workflowSettings(config), { log }), auditModule(), realtimeModule(realtimeSettings(config), { log })]
}
