import type { EngineModule } from './modules.js'

/**
 * The engine's capabilities in pipeline order (SPEC §7: permissions → rules → computed →
 * state machine → … → audit/webhook outbox → after-commit work). Add a module here to plug it in.
 */
export function engineModules (): EngineModule[] {
  return []
}
