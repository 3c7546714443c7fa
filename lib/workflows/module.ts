import type { Engine, EngineLogger, EngineModule } from '../engine/modules.js'
import type { Poller } from '../jobs/poller.js'
import { compileWorkflows, WORKFLOWS } from './compile.js'
import { WorkflowRuntime, workflowSettings, type WorkflowSettings } from './runtime.js'
import { startWorkflowScheduler } from './scheduler.js'
import { loadWorkflowRows } from './store.js'
import { firesAny, runStarted, startTriggered } from './trigger.js'

/** The workflow engine module, with its runtime (the approval endpoints and tests use it). */
export interface WorkflowsModule extends EngineModule {
  runtime: WorkflowRuntime
}

/**
 * Workflows (docs/reference.md, "Workflows") as an engine module, after webhooks and before audit: every stored
 * workflow is compiled once per metadata version into `registry.extensions`, with the engine's
 * write hooks (step writes go through the whole write path) and action handlers; `afterRow` writes
 * an instance for each active workflow a written record fires (in the change's transaction),
 * `afterCommit` runs those instances until they pause. The runtime also serves the approval
 * endpoints. `start` runs the scheduler (timeouts, waits, instances interrupted by a restart)
 * over every open app; `stop` ends it and waits for the runs under way.
 */
export function workflowsModule (settings: WorkflowSettings = workflowSettings(), opts: { log?: EngineLogger } = {}): WorkflowsModule {
  const runtime = new WorkflowRuntime(settings, opts)
  let scheduler: Poller | null = null
  return {
    name: WORKFLOWS,
    runtime,
    load: async (app, registry, engine) => {
      registry.extensions.set(WORKFLOWS, compileWorkflows({ app, runtime, registry, engine }, await loadWorkflowRows(app.sql)))
    },
    writeHooks: {
      name: WORKFLOWS,
      needsAfterRow: firesAny,
      afterRow: startTriggered,
      afterCommit: runStarted
    },
    start: (host) => {
      scheduler = startWorkflowScheduler({ runtime, apps: host.apps })
    },
    stop: async () => {
      await scheduler?.stop()
      await runtime.close()
    }
  }
}

/** The workflow runtime of an engine (null when the engine has no workflow module). */
export function workflowRuntimeOf (engine: Engine): WorkflowRuntime | null {
  const m = engine.modules.find((x) => x.name === WORKFLOWS) as WorkflowsModule | undefined
  return m?.runtime ?? null
}
