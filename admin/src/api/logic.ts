// Business-logic metadata (SPEC §8) as the admin API sends it: rules, state machines, workflows,
// workflow instances, and the expression tester. Lists mirror the engine's (lib/rules/types.ts,
// lib/state-machines/types.ts, lib/workflows/types.ts); they are repeated here because the
// engine's type modules pull in server-only code.
import { api, apiData } from './client.js'
import type { ListEnvelope } from './types.js'

export const RULE_HOOKS = ['before_write', 'before_delete'] as const
export const RULE_TYPES = ['field', 'expression', 'computed'] as const
export const FIELD_OPERATORS = ['min', 'max', 'min_length', 'max_length', 'pattern'] as const
export type RuleHook = typeof RULE_HOOKS[number]
export type RuleType = typeof RULE_TYPES[number]
export type FieldOperator = typeof FIELD_OPERATORS[number]

/** `related_load` entries: a relation name or `{relation, filter}`. */
export type RelatedLoad = string | { relation: string, filter?: Record<string, unknown> }

export interface RuleBody {
  entity: string
  hook: RuleHook
  type: RuleType
  definition: Record<string, unknown>
  priority: number
  active: boolean
}

export interface Stored {
  id: string
  created_at: string
  updated_at: string
}

export type RuleRow = RuleBody & Stored

export const ACTION_TYPES = ['set_field', 'create_record', 'webhook', 'send_event'] as const
export type ActionType = typeof ACTION_TYPES[number]
/** An action of a transition or a workflow action step; keys depend on `type`. */
export type ActionDef = { type: ActionType } & Record<string, unknown>

export interface TransitionDef {
  from: string | string[]
  to: string
  roles?: string[]
  guard?: string
  actions?: ActionDef[]
}

export interface MachineBody {
  entity: string
  field: string
  definition: { initial: string, transitions: TransitionDef[] }
  active: boolean
}

export type MachineRow = MachineBody & Stored

export const STEP_TYPES = ['action', 'condition', 'approval', 'wait'] as const
export type StepType = typeof STEP_TYPES[number]
/** A goto: `"end"`, a step id, or `{goto}`. */
export type Goto = string | { goto: string }
export type Assignee = { type: 'role', role: string } | { type: 'user', user_id: string }

export type StepDef =
  | { id: string, type: 'action', actions: ActionDef[], then?: Goto }
  | { id: string, type: 'condition', expression: string, on_true: Goto, on_false: Goto }
  | { id: string, type: 'approval', assignee: Assignee, timeout?: string, on_approve: Goto, on_reject: Goto, on_timeout?: Goto }
  | { id: string, type: 'wait', duration: string, then?: Goto }

export interface WorkflowBody {
  name: string
  trigger: { type: 'state_change', entity: string, field: string, to: string | number | boolean }
  context: Record<string, string>
  steps: StepDef[]
  active: boolean
}

export type WorkflowRow = WorkflowBody & Stored

export const INSTANCE_STATUSES = ['running', 'waiting_approval', 'waiting', 'completed', 'failed', 'cancelled'] as const
export type InstanceStatus = typeof INSTANCE_STATUSES[number]

export interface HistoryEntry {
  step: string | null
  status: string
  by: string | null
  at: string
  detail?: Record<string, unknown>
}

export interface Instance {
  id: string
  workflow_id: string | null
  workflow_name: string
  status: InstanceStatus
  current_step: string | null
  current_step_deadline: string | null
  context: Record<string, unknown>
  history: HistoryEntry[]
  trigger: { entity: string, field: string, from: unknown, to: unknown, record_id: unknown }
  assignee: Assignee | null
  created_at: string
  updated_at: string
}

export interface EvaluateBody {
  expression: string
  record?: Record<string, unknown>
  old?: Record<string, unknown> | null
  user?: Record<string, unknown> | null
  related?: Record<string, unknown>
  context?: Record<string, unknown>
}

const admin = (app: string, kind: string, id?: string): string =>
  `/${encodeURIComponent(app)}/_admin/${kind}${id !== undefined ? `/${encodeURIComponent(id)}` : ''}`

/** CRUD calls of one metadata kind under `/_admin/<kind>`. */
function crud<Body, Row> (kind: string): {
  list: (app: string) => Promise<Row[]>
  create: (app: string, body: Body) => Promise<Row>
  update: (app: string, id: string, body: Body) => Promise<Row>
  remove: (app: string, id: string) => Promise<void>
} {
  return {
    list: async (app) => await apiData<Row[]>(admin(app, kind)),
    create: async (app, body) => await apiData<Row>(admin(app, kind), { method: 'POST', body }),
    update: async (app, id, body) => await apiData<Row>(admin(app, kind, id), { method: 'PUT', body }),
    remove: async (app, id) => { await apiData<unknown>(admin(app, kind, id), { method: 'DELETE' }) }
  }
}

export const rulesApi = crud<RuleBody, RuleRow>('rules')
export const machinesApi = crud<MachineBody, MachineRow>('state-machines')
export const workflowsApi = crud<WorkflowBody, WorkflowRow>('workflows')

/** Evaluates an expression against sample variables; a bad expression throws a 422 ApiError with its position. */
export const evaluateExpression = async (app: string, body: EvaluateBody): Promise<unknown> =>
  (await apiData<{ result: unknown }>(admin(app, 'expressions/evaluate'), { method: 'POST', body })).result

const runtime = (app: string, rest = ''): string => `/${encodeURIComponent(app)}/_workflows${rest}`

export const listPending = async (app: string): Promise<ListEnvelope<Instance>> =>
  await api<ListEnvelope<Instance>>(runtime(app, '/pending'), { query: { per_page: 100 } })

export const listInstances = async (app: string, status: string, page = 1): Promise<ListEnvelope<Instance>> =>
  await api<ListEnvelope<Instance>>(runtime(app), { query: { status, page, per_page: 25 } })

export const getInstance = async (app: string, id: string): Promise<Instance> =>
  await apiData<Instance>(runtime(app, `/${encodeURIComponent(id)}`))

/** Approves or rejects a paused approval step; answers the instance as it stands afterwards. */
export const decideInstance = async (app: string, id: string, verb: 'approve' | 'reject', comment: string): Promise<Instance> =>
  await apiData<Instance>(runtime(app, `/${encodeURIComponent(id)}/${verb}`), { method: 'POST', body: comment.trim() === '' ? {} : { comment: comment.trim() } })
