import type { EngineModule } from '../engine/modules.js'
import { createsRecords, runCommitActions, runRowActions } from './actions.js'
import { compileMachines, STATE_MACHINES } from './compile.js'
import { loadActiveMachines } from './store.js'
import { applyStateMachines, machinesNeedOld } from './transition.js'

/**
 * State machines (docs/reference.md, "State machines") as an engine module: active machines are compiled once per metadata
 * version into `registry.extensions`; per record, `beforeWrite` (after the rules) enforces the
 * transition, its roles and guard and applies `set_field`; `afterRow` runs `create_record`
 * inside the transaction (only for records that need it, so lone inserts keep their fast path);
 * `afterCommit` hands `webhook` / `send_event` to the engine's action handlers (see side-effects.ts).
 */
export function stateMachinesModule (): EngineModule {
  return {
    name: STATE_MACHINES,
    load: async (app, registry, engine) => {
      registry.extensions.set(STATE_MACHINES, compileMachines({ app, registry, actions: engine.actions }, await loadActiveMachines(app.sql)))
    },
    writeHooks: {
      name: STATE_MACHINES,
      beforeWrite: applyStateMachines,
      needsOld: machinesNeedOld,
      afterRow: async (node, _tx, unit) => { await runRowActions(node, unit) },
      needsAfterRow: createsRecords,
      afterCommit: runCommitActions
    }
  }
}
