import { randomUUID } from 'node:crypto'
import type { TransactionSql } from '../db/connection.js'
import { validationFailed } from '../errors.js'
import { ExpressionBudgetError, type ExpressionScope } from '../expressions/index.js'
import { resolveFileValue } from '../files/resolve.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import { createRecordBody, setFieldValue, writableValue } from '../state-machines/evaluate-write-actions.js'
import { dispatchSideEffects } from '../state-machines/side-effects.js'
import { queueActionDelivery } from '../webhooks/actions.js'
import { webhooksOf } from '../webhooks/compile.js'
import { WORKFLOW_HOOK, type WebhookPayload } from '../webhooks/types.js'
import { createRecord, updateRecord, type WriteDeps } from '../write/index.js'
import { entry, stepScope, toward, type Run } from './executor.js'
import { lockLeased, moveInstance } from './instances.js'
import type { ActionStep, CreateRecordAction, InstanceRow, PassThroughAction, SetFieldAction } from './types.js'

/** One action step in its transaction: what the actions need and what they leave for after COMMIT. */
interface StepTx {
  run: Run
  row: InstanceRow
  step: ActionStep
  registry: Registry
  tx: TransactionSql
  deps: WriteDeps
  scope: ExpressionScope
  /** Records the step wrote, for its history entry. */
  written: Array<{ action: string, entity: string, id: unknown }>
  /** Work once the step committed: the write units' after-commit hooks, webhook dispatch, events. */
  after: Array<() => Promise<void>>
}

function entityOf (registry: Registry, name: string): CompiledEntity {
  const entity = registry.entities.get(name)
  if (entity === undefined) throw validationFailed(`entity '${name}' no longer exists`)
  return entity
}

function evaluate (expression: { source: string, evaluate: (s: ExpressionScope) => unknown }, scope: ExpressionScope, what: string): unknown {
  try {
    return writableValue(expression.evaluate(scope))
  } catch (err) {
    if (err instanceof ExpressionBudgetError) throw validationFailed(`${what} could not be evaluated (${err.message})`)
    throw err
  }
}

async function setField (s: StepTx, a: SetFieldAction): Promise<void> {
  const id = evaluate(a.recordId, s.scope, 'set_field record_id')
  if (typeof id !== 'string' && typeof id !== 'number') {
    throw validationFailed(`set_field: record_id (${a.recordId.source}) evaluated to ${JSON.stringify(id) ?? 'nothing'}, not a record id`)
  }
  const value = setFieldValue(a, new Date())
  await updateRecord(s.deps, entityOf(s.registry, a.entity), String(id), { [a.field.name]: value })
  s.written.push({ action: 'set_field', entity: a.entity, id })
}

async function createOne (s: StepTx, a: CreateRecordAction): Promise<void> {
  const body = createRecordBody(a, s.scope, (field, err) => `create_record ${a.entity}.${field} could not be evaluated (${err.message})`)
  const entity = entityOf(s.registry, a.entity)
  const row = await createRecord(s.deps, entity, body)
  s.written.push({ action: 'create_record', entity: a.entity, id: row[entity.pk.name] })
}

function webhookPayload (s: StepTx): WebhookPayload {
  const { row, step } = s
  return {
    event: `workflow.${row.workflow_name}.${step.id}`,
    hook: WORKFLOW_HOOK,
    entity: row.trigger.entity,
    action: 'update',
    record: null,
    old: null,
    changes: {},
    user: null,
    timestamp: new Date().toISOString(),
    idempotency_key: randomUUID(),
    workflow: { id: row.workflow_id, name: row.workflow_name, instance_id: row.id, step: step.id },
    context: row.context,
    trigger: row.trigger
  }
}

/**
 * A `webhook` action becomes a delivery in `_webhook_logs` (hook `workflow`), written in the
 * step's transaction like an outbox row and handed to the webhook runtime once the step
 * committed: retries, logs and manual retry as for any webhook. An unusable target is logged
 * as a failed delivery (as for state-machine actions); the step goes on.
 */
async function webhook (s: StepTx, a: PassThroughAction): Promise<void> {
  const compiled = webhooksOf(s.registry)
  if (compiled === undefined) throw validationFailed('webhook actions need the webhook module')
  const payload = webhookPayload(s)
  const id = await queueActionDelivery({ sql: s.tx, webhooks: compiled, action: a.definition, entity: s.row.trigger.entity, hook: WORKFLOW_HOOK, payload })
  if (id !== null) s.after.push(async () => { compiled.runtime.dispatch(compiled.app, [id]) })
}

/** A `send_event` action goes to the handler registered for that type once the step committed. */
function sendEvent (s: StepTx, a: PassThroughAction): void {
  const { row, step } = s
  const effect = {
    type: 'send_event',
    action: { ...a.definition, workflow: { id: row.workflow_id, name: row.workflow_name, instance_id: row.id, step: step.id }, context: row.context },
    app: s.run.app,
    entity: row.trigger.entity,
    field: row.trigger.field,
    from: String(row.trigger.from ?? ''),
    to: String(row.trigger.to ?? ''),
    record: { id: row.trigger.record_id },
    user: null,
    at: new Date().toISOString(),
    scope: s.scope,
    traceId: `workflow-${row.id}`
  }
  s.after.push(async () => { await dispatchSideEffects(s.run.engine.actions, [effect]) })
}

async function runActions (s: StepTx): Promise<void> {
  for (const a of s.step.actions) {
    if (a.type === 'set_field') await setField(s, a)
    else if (a.type === 'create_record') await createOne(s, a)
    else if (a.type === 'webhook') await webhook(s, a)
    else sendEvent(s, a)
  }
}

/**
 * Runs an action step as ONE transaction: the instance row is locked under its lease, every
 * action writes through the normal write path as the engine (user null, actor `workflow`:
 * validation, rules, state machines, audit, webhooks and triggers apply; permissions do not),
 * and the step's completion is persisted with them. So a step is never half done, and
 * repeating it after a crash (nothing committed) is safe. Any failure rolls the step back and
 * is thrown (the caller fails the instance). Returns null when the lease was lost.
 */
export async function runActionStep (run: Run, row: InstanceRow, step: ActionStep): Promise<InstanceRow | null> {
  const leaseId = row.lease_id
  const hooks = run.engine.writeHooks
  if (leaseId === null) return null
  const lease = { id: row.id, leaseId, leaseMs: run.runtime.settings.leaseMs }
  const after: StepTx['after'] = []
  const moved = await run.app.sql.begin(async (tx) => {
    if (!(await lockLeased(tx, lease))) return null
    const registry = run.app.registry
    const deps: WriteDeps = {
      sql: run.app.sql,
      registry,
      user: null,
      hooks,
      resolveFileValue,
      onHookError: (err, hook) => { run.runtime.log.error({ err, hook, instance: row.id }, 'after-commit hook of a workflow write failed') },
      actor: { name: 'workflow', chain: row.chain + 1 },
      within: { tx, defer: (work) => { after.push(work) }, depth: 1 }
    }
    const s: StepTx = { run, row, step, registry, tx, deps, scope: stepScope(row), written: [], after }
    await runActions(s)
    const detail = { next: step.then, ...(s.written.length > 0 ? { records: s.written } : {}) }
    const done = await moveInstance(tx, lease, { ...toward(step.then), deadline: null, assignee: null, entries: [entry(step.id, 'completed', detail)] })
    // Cannot happen while the row is locked under the lease; if it did, nothing of the step may stay.
    if (done === null) throw new Error(`workflow instance ${row.id} lost its lease inside a step`)
    return done
  })
  if (moved === null) return null
  for (const work of after) {
    await work().catch((err: unknown) => { run.runtime.log.error({ err, instance: row.id }, 'after-commit work of a workflow step failed') })
  }
  return moved
}
