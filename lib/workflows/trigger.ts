import { randomUUID } from 'node:crypto'
import type { AppContext } from '../apps/context.js'
import type { TransactionSql } from '../db/connection.js'
import { ExpressionBudgetError, type ExpressionScope } from '../expressions/index.js'
import type { WriteNode, WriteUnit } from '../write/hooks.js'
import { atCommit } from '../write/transaction.js'
import { workflowsOf } from './compile.js'
import { insertInstanceQuery, type NewInstance } from './instances.js'
import type { WorkflowRuntime } from './runtime.js'
import type { CompiledWorkflow, HistoryEntry, InstanceRow, TriggerInfo } from './types.js'

/** `unit.state` key of the instances a unit of work started. */
const STARTED = 'workflows'

interface Started {
  app: AppContext
  runtime: WorkflowRuntime
  instance: NewInstance
  workflowName: string
}

/** Trigger values compare as a client writes them: `5` matches a BIGINT/NUMERIC read back as `'5'`. */
function same (a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a === b
  if (typeof a === 'object' || typeof b === 'object') return false
  return String(a) === String(b)
}

/**
 * Whether a written record fires a workflow: the trigger field was written with the trigger's
 * value and, on update, did not hold it before (a create counts whenever it stores the value,
 * default and state-machine initial included). `after` is the values (before the write) or the
 * row as written.
 */
function fires (wf: CompiledWorkflow, node: WriteNode, after: Record<string, unknown>): boolean {
  const f = wf.trigger.field.name
  if (node.action === 'delete' || (node.action === 'update' && !Object.hasOwn(node.values, f))) return false
  if (!same(after[f], wf.trigger.to)) return false
  return node.action === 'create' || node.old === null || !same(node.old[f], wf.trigger.to)
}

/** The module's `needsAfterRow`: only records that fire a workflow need the transaction (lone inserts keep their fast path). */
export function firesAny (node: WriteNode, unit: WriteUnit): boolean {
  if (node.action === 'delete') return false
  const list = workflowsOf(unit.registry)?.byEntity.get(node.entity.name)
  return list !== undefined && list.some((wf) => fires(wf, node, node.values))
}

/** JSON as stored (Dates as ISO text), so the running instance sees what a resumed one reads back. */
function plain<T> (value: T): T {
  return JSON.parse(JSON.stringify(value ?? null)) as T
}

/**
 * The new instance of a fired workflow: context expressions evaluated over `record` (the row as
 * written), `old`, `trigger` ({entity, field, from, to, record_id, record}) and `user`. A context
 * expression over budget starts the instance `failed`, with the reason in its history.
 */
function newInstance (wf: CompiledWorkflow, node: WriteNode, unit: WriteUnit, lease: { chain: number, leaseMs: number }): NewInstance {
  const row = node.row ?? {}
  const f = wf.trigger.field.name
  const trigger: TriggerInfo = plain({ entity: node.entity.name, field: f, from: node.old?.[f] ?? null, to: row[f] ?? null, record_id: row[node.entity.pk.name] ?? null })
  const u = unit.user
  const scope: ExpressionScope = {
    record: row,
    old: node.old,
    trigger: { ...trigger, record: row },
    user: u === null ? null : { id: u.id, email: u.email, roles: u.roles },
    now: unit.now
  }
  const at = unit.now.toISOString()
  const history: HistoryEntry[] = [{ step: null, status: 'started', by: u?.id ?? null, at, detail: { trigger } }]
  const context: Record<string, unknown> = {}
  let error: string | null = null
  for (const { key, expression } of wf.context) {
    try {
      context[key] = expression.evaluate(scope) ?? null
    } catch (err) {
      if (!(err instanceof ExpressionBudgetError)) throw err
      error = `context.${key} could not be evaluated (${err.message})`
      break
    }
  }
  if (error !== null) history.push({ step: null, status: 'failed', by: null, at, detail: { error } })
  return {
    id: randomUUID(),
    workflowId: wf.id,
    status: error === null ? 'running' : 'failed',
    currentStep: wf.first,
    context: plain(context),
    history,
    trigger,
    chain: lease.chain,
    leaseId: randomUUID(),
    leaseMs: lease.leaseMs
  }
}

/**
 * The module's `afterRow`: for each active workflow the written record fires, writes a new
 * instance in the same transaction as the change (so it exists exactly when the change
 * commits: a rolled-back write starts nothing, a crash after COMMIT loses nothing), leased to
 * this process, which runs it after COMMIT. Writes made by workflow steps fire workflows too,
 * up to `maxChain` levels (a cycle in the metadata is assumed beyond, and logged).
 */
export async function startTriggered (node: WriteNode, tx: TransactionSql, unit: WriteUnit): Promise<void> {
  const compiled = workflowsOf(unit.registry)
  const list = node.row === undefined ? undefined : compiled?.byEntity.get(node.entity.name)
  if (compiled === undefined || list === undefined) return
  const { runtime } = compiled
  const chain = unit.actor?.name === 'workflow' ? unit.actor.chain : 0
  for (const wf of list) {
    if (!fires(wf, node, node.row ?? {})) continue
    if (chain > runtime.settings.maxChain) {
      runtime.log.warn({ app: compiled.app.name, workflow: wf.name, chain }, 'workflow not started: too many workflow writes in a row (a trigger cycle?)')
      continue
    }
    const instance = newInstance(wf, node, unit, { chain, leaseMs: runtime.settings.leaseMs })
    // Nothing in the unit reads it back: it leaves with the COMMIT.
    await atCommit(tx, insertInstanceQuery(tx, instance))
    const started = (unit.state.get(STARTED) as Started[] | undefined) ?? []
    started.push({ app: compiled.app, runtime, instance, workflowName: wf.name })
    unit.state.set(STARTED, started)
  }
}

function rowOf (s: Started): InstanceRow {
  const i = s.instance
  const now = new Date()
  return {
    id: i.id,
    workflow_id: i.workflowId,
    workflow_name: s.workflowName,
    status: i.status,
    waiting_for: null,
    current_step: i.currentStep,
    current_step_deadline: null,
    context: i.context,
    history: i.history,
    trigger: i.trigger,
    assignee: null,
    chain: i.chain,
    lease_id: i.leaseId,
    locked_until: new Date(now.getTime() + i.leaseMs),
    created_at: now,
    updated_at: now
  }
}

/**
 * The module's `afterCommit`: runs the instances the unit started until they pause or end
 * (non-blocking steps run at once). Step failures fail the instance; nothing reaches the
 * request whose change triggered it.
 */
export async function runStarted (_nodes: WriteNode[], unit: WriteUnit): Promise<void> {
  const started = unit.state.get(STARTED) as Started[] | undefined
  if (started === undefined) return
  for (const s of started) await s.runtime.run(s.app, rowOf(s))
}
