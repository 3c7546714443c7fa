import type { Engine, EngineModule } from '../engine/modules.js'
import { compileWorkflows, WORKFLOWS } from './compile.js'
import { WorkflowRuntime, workflowSettings, type WorkflowSettings } from './runtime.js'
import { loadWorkflowRows } from './store.js'
import { firesAny, runStarted, startTriggered } from './trigger.js'

/** The workflow engine module, with the runtime the scheduler plugin drives. */
export interface WorkflowsModule extends EngineModule {
  runtime: WorkflowRuntime
}

/**
 * Workflows (docs/reference.md, "Workflows") as an engine module, after webhooks and before audit: every stored
 * workflow is compiled once per metadata version into `registry.extensions`; `afterRow` writes
 * an instance for each active workflow a written record fires (in the change's transaction),
 * `afterCommit` runs those instances until they pause. The runtime also serves the approval
 * endpoints and the scheduler (timeouts, waits, interrupted instances).
 */
export function workflowsModule (settings: WorkflowSettings = workflowSettings()): WorkflowsModule {
  const runtime = new WorkflowRuntime(settings)
  return {
    name: WORKFLOWS,
    runtime,
    load: async (app, registry) => {
      registry.extensions.set(WORKFLOWS, compileWorkflows({ app, runtime, registry }, await loadWorkflowRows(app.sql)))
    },
    writeHooks: {
      name: WORKFLOWS,
      needsAfterRow: firesAny,
      afterRow: startTriggered,
      afterCommit: runStarted
    }
  }
}

/** The workflow runtime of an engine (null when the engine has no workflow module). */
export function workflowRuntimeOf (engine: Engine): WorkflowRuntime | null {
  const m = engine.modules.find((x) => x.name === WORKFLOWS) as WorkflowsModule | undefined
  return m?.runtime ?? null
}
