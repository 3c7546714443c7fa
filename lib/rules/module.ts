import type { EngineModule } from '../engine/modules.js'
import { compileRules, RULES } from './compile.js'
import { rulesNeedOld, rulesReadRows, runRules } from './run.js'
import { loadActiveRules } from './store.js'

/**
 * Validation rules and computed fields (docs/reference.md, "Rules") as an engine module: the app's active rules
 * are compiled once per metadata version into `registry.extensions` (expressions parsed,
 * patterns and relation loads resolved), and every record of a write runs its entity's rules
 * in `beforeWrite` — after type validation, before the state machine and before any write.
 */
export function rulesModule (): EngineModule {
  return {
    name: RULES,
    load: async (app, registry) => {
      registry.extensions.set(RULES, compileRules(await loadActiveRules(app.sql), registry))
    },
    writeHooks: { name: RULES, beforeWrite: runRules, needsOld: rulesNeedOld, readsBeforeWrite: rulesReadRows }
  }
}
