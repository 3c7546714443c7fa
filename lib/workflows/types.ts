import type { AppContext } from '../apps/context.js'
import type { CompiledExpression } from '../expressions/index.js'
import type { CompiledField } from '../metadata/compiled.js'
import type { AfterCommitAction as PassThroughAction, CreateRecordAction } from '../state-machines/types.js'
import type { WorkflowRuntime } from './runtime.js'
import type { EngineWiring } from '../engine/modules.js'

/** The goto target that finishes an instance. */
export const END = 'end'

export const STEP_TYPES = ['action', 'condition', 'approval', 'wait'] as const
export type StepType = typeof STEP_TYPES[number]

export const WORKFLOW_ACTION_TYPES = ['set_field', 'create_record', 'webhook', 'send_event'] as const

/**
 * Instance statuses: `running` (steps are being executed — or were when the process died: the
 * scheduler resumes it once its lease expired — or it is paused at an approval or a wait:
 * `waiting_for` says which, `current_step` where), then one of the final `completed` (reached
 * `end`), `failed` (a step failed or an approval without `on_timeout` timed out; the reason is
 * in the history) or `cancelled` (its workflow was deleted).
 */
export const INSTANCE_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const
export type InstanceStatus = typeof INSTANCE_STATUSES[number]

/** What a `running` instance is paused for (null: its steps are being executed). */
export const WAITING_FOR = ['approval', 'wait'] as const
export type WaitingFor = typeof WAITING_FOR[number]

/** `{type: state_change, entity, field, to}`: a committed change of `field` to `to` starts an instance. */
export interface TriggerDef {
  type: 'state_change'
  entity: string
  field: string
  to: unknown
}

/** A workflow as sent through the admin API (defaults filled) and stored in `_workflows`. */
export interface WorkflowDef {
  name: string
  trigger: TriggerDef
  /** Instance context key → expression over `record`, `old`, `trigger`, `user`, evaluated at start. */
  context: Record<string, string>
  steps: Array<Record<string, unknown>>
  active: boolean
}

export interface WorkflowRow extends WorkflowDef {
  id: string
  created_at: Date
  updated_at: Date
}

/** Who may decide an approval: holders of a role, or one user. */
export type Assignee = { type: 'role', role: string } | { type: 'user', user_id: string }

export interface SetFieldAction {
  type: 'set_field'
  entity: string
  recordId: CompiledExpression
  field: CompiledField
  value: unknown
  now: boolean
}

/** `create_record` and pass-through actions compile exactly as in state machines: one shape. */
export type { CreateRecordAction, PassThroughAction }

export type WorkflowAction = SetFieldAction | CreateRecordAction | PassThroughAction

export interface ActionStep {
  id: string
  type: 'action'
  actions: WorkflowAction[]
  then: string
}

export interface ConditionStep {
  id: string
  type: 'condition'
  expression: CompiledExpression
  onTrue: string
  onFalse: string
}

export interface ApprovalStep {
  id: string
  type: 'approval'
  /** Null: only admins decide. */
  assignee: Assignee | null
  /** Null: waits until decided. */
  timeoutMs: number | null
  onApprove: string
  onReject: string
  /** Null: at the deadline the instance fails (history `timed_out`). */
  onTimeout: string | null
}

export interface WaitStep {
  id: string
  type: 'wait'
  durationMs: number
  then: string
}

export type CompiledStep = ActionStep | ConditionStep | ApprovalStep | WaitStep

export interface CompiledWorkflow {
  id: string
  name: string
  active: boolean
  trigger: { entity: string, field: CompiledField, to: unknown }
  context: Array<{ key: string, expression: CompiledExpression }>
  /** Steps by id; `first` is where an instance starts. */
  steps: Map<string, CompiledStep>
  first: string
}

/** What the workflow module keeps per registry version (`registry.extensions`). */
export interface CompiledWorkflows {
  app: AppContext
  runtime: WorkflowRuntime
  /** The engine that loaded the app: step writes go through its write hooks, `send_event` to its handlers. */
  engine: EngineWiring
  /** Every stored workflow that fits the metadata, active or not (instances of a deactivated one finish). */
  byId: Map<string, CompiledWorkflow>
  /** Active workflows by trigger entity. */
  byEntity: Map<string, CompiledWorkflow[]>
  /** Stored workflows that no longer fit the metadata: neither triggered nor resumed. */
  skipped: Array<{ id: string, message: string }>
}

/** One entry of an instance's history. `by` is the deciding user, null for the engine. */
export interface HistoryEntry {
  step: string | null
  status: string
  by: string | null
  at: string
  detail?: Record<string, unknown>
}

/** What started an instance (without the record itself, which may be large). */
export interface TriggerInfo {
  entity: string
  field: string
  from: unknown
  to: unknown
  record_id: unknown
}

/** A `_workflow_instances` row. */
export interface InstanceRow {
  id: string
  workflow_id: string | null
  workflow_name: string
  status: InstanceStatus
  /** Set while a `running` instance is paused at an approval or a wait. */
  waiting_for: WaitingFor | null
  current_step: string | null
  current_step_deadline: Date | null
  context: Record<string, unknown>
  history: HistoryEntry[]
  trigger: TriggerInfo
  /** Set while paused at an approval that names an assignee. */
  assignee: Assignee | null
  /** How many workflow-made writes led to this instance (bounds trigger cycles). */
  chain: number
  /** Identifies the process run currently advancing the instance; with `locked_until`, its lease. */
  lease_id: string | null
  locked_until: Date | null
  created_at: Date
  updated_at: Date
}

/** An instance as the API shows it (lease bookkeeping left out). */
export type InstanceView = Omit<InstanceRow, 'lease_id' | 'locked_until' | 'chain'>
