import type { AppContext } from '../apps/context.js'
import type { EngineWiring } from '../engine/modules.js'
import { isApiError } from '../errors.js'
import { ExpressionBudgetError, type ExpressionScope } from '../expressions/index.js'
import { runActionStep } from './action-step.js'
import { workflowsOf } from './compile.js'
import { moveInstance, type InstanceChange } from './instances.js'
import type { WorkflowRuntime } from './runtime.js'
import { END, type ApprovalStep, type CompiledStep, type ConditionStep, type HistoryEntry, type InstanceRow, type WaitStep } from './types.js'

/** One run of one instance: the app, the runtime, and the engine its steps write through. */
export interface Run {
  app: AppContext
  runtime: WorkflowRuntime
  engine: EngineWiring
}

/** A history entry by the engine (decisions by users are written by `decide`). */
export function entry (step: string | null, status: string, detail?: Record<string, unknown>): HistoryEntry {
  return { step, status, by: null, at: new Date().toISOString(), ...(detail !== undefined ? { detail } : {}) }
}

/** Where a goto leads: the next step (still running), or the end (completed). */
export function toward (target: string): Pick<InstanceChange, 'status' | 'currentStep' | 'waitingFor'> {
  return target === END ? { status: 'completed', currentStep: null, waitingFor: null } : { status: 'running', currentStep: target, waitingFor: null }
}

/** Variables of step expressions: the instance context, what triggered it, `now`. */
export function stepScope (row: InstanceRow): ExpressionScope {
  return { context: row.context, trigger: row.trigger, now: new Date(), instance: { id: row.id, workflow: row.workflow_name } }
}

/** What a failed step records: an API error's message (and details), never a driver's text. */
function failure (run: Run, row: InstanceRow, err: unknown): Record<string, unknown> {
  if (isApiError(err)) return { error: err.message, code: err.code, ...(err.details !== undefined ? { details: err.details } : {}) }
  if (err instanceof ExpressionBudgetError) return { error: err.message }
  run.runtime.log.error({ err, app: run.app.name, instance: row.id }, 'workflow step failed')
  return { error: 'internal error (see the server log)' }
}

async function move (run: Run, row: InstanceRow, change: InstanceChange): Promise<InstanceRow | null> {
  const leaseId = row.lease_id
  if (leaseId === null) return null
  return await moveInstance(run.app.sql, { id: row.id, leaseId, leaseMs: run.runtime.settings.leaseMs }, change)
}

/** Fails the instance at its current step, with the reason in its history. */
async function fail (run: Run, row: InstanceRow, detail: Record<string, unknown>): Promise<InstanceRow | null> {
  return await move(run, row, { status: 'failed', waitingFor: null, currentStep: row.current_step, deadline: null, assignee: null, entries: [entry(row.current_step, 'failed', detail)] })
}

function conditionStep (row: InstanceRow, step: ConditionStep): InstanceChange {
  const result = Boolean(step.expression.evaluate(stepScope(row)))
  const next = result ? step.onTrue : step.onFalse
  return { ...toward(next), deadline: null, assignee: null, entries: [entry(step.id, 'completed', { result, next })] }
}

/**
 * Entering an approval records `waiting` and its deadline. Running it again (the scheduler
 * claimed it, or a crashed run is resumed) keeps that deadline, and once it passed takes
 * `on_timeout` — or, without one, fails the instance: so a repeated run never restarts the clock.
 */
function approvalStep (row: InstanceRow, step: ApprovalStep): InstanceChange {
  const deadline = row.current_step_deadline
  const now = Date.now()
  if (deadline !== null && deadline.getTime() <= now) {
    if (step.onTimeout === null) {
      const detail = { error: 'the approval timed out and the step has no on_timeout' }
      return { status: 'failed', waitingFor: null, currentStep: step.id, deadline: null, assignee: null, entries: [entry(step.id, 'timed_out', detail)] }
    }
    return { ...toward(step.onTimeout), deadline: null, assignee: null, entries: [entry(step.id, 'timed_out', { next: step.onTimeout })] }
  }
  const wait = { status: 'running' as const, waitingFor: 'approval' as const, currentStep: step.id, assignee: step.assignee }
  if (deadline !== null) return { ...wait, deadline, entries: [] }
  const until = step.timeoutMs === null ? null : new Date(now + step.timeoutMs)
  return { ...wait, deadline: until, entries: [entry(step.id, 'waiting', { assignee: step.assignee, deadline: until?.toISOString() ?? null })] }
}

/** A wait records its end time once, and continues when the scheduler finds it due. */
function waitStep (row: InstanceRow, step: WaitStep): InstanceChange {
  const deadline = row.current_step_deadline
  if (deadline === null) {
    const until = new Date(Date.now() + step.durationMs)
    return { status: 'running', waitingFor: 'wait', currentStep: step.id, deadline: until, assignee: null, entries: [entry(step.id, 'waiting', { until: until.toISOString() })] }
  }
  if (deadline.getTime() > Date.now()) return { status: 'running', waitingFor: 'wait', currentStep: step.id, deadline, assignee: null, entries: [] }
  return { ...toward(step.then), deadline: null, assignee: null, entries: [entry(step.id, 'completed', { next: step.then })] }
}

async function runStep (run: Run, row: InstanceRow, step: CompiledStep): Promise<InstanceRow | null> {
  switch (step.type) {
    case 'action': return await runActionStep(run, row, step)
    case 'condition': return await move(run, row, conditionStep(row, step))
    case 'approval': return await move(run, row, approvalStep(row, step))
    case 'wait': return await move(run, row, waitStep(row, step))
  }
}

/** Runs the instance's current step and persists its outcome; null when the lease was lost. */
async function runCurrent (run: Run, row: InstanceRow): Promise<InstanceRow | null> {
  const wf = row.workflow_id === null ? undefined : workflowsOf(run.app.registry)?.byId.get(row.workflow_id)
  if (wf === undefined) return await fail(run, row, { error: `workflow '${row.workflow_name}' no longer exists or no longer fits the metadata` })
  const id = row.current_step
  if (id === null || id === END) return await move(run, row, { status: 'completed', waitingFor: null, currentStep: null, deadline: null, assignee: null, entries: [] })
  const step = wf.steps.get(id)
  if (step === undefined) return await fail(run, row, { error: `step '${id}' no longer exists in workflow '${wf.name}'` })
  try {
    return await runStep(run, row, step)
  } catch (err) {
    return await fail(run, row, failure(run, row, err))
  }
}

/**
 * Advances a leased `running` instance step by step — each outcome persisted before the next
 * step starts — until it pauses (approval, wait), ends or fails. Returns the instance as last
 * persisted (the input when the lease was lost to another process).
 */
export async function advance (run: Run, start: InstanceRow): Promise<InstanceRow> {
  let row = start
  for (let n = 0; row.status === 'running' && row.waiting_for === null; n++) {
    const next = n < run.runtime.settings.maxStepsPerRun
      ? await runCurrent(run, row)
      : await fail(run, row, { error: `more than ${run.runtime.settings.maxStepsPerRun} steps without pausing (a goto loop?)` })
    if (next === null) return row
    row = next
  }
  return row
}
