// Business-logic metadata (docs/reference.md, "Business logic") as the admin API sends it: rules, state machines, workflows,
// workflow instances, and the expression tester. Enumerations and plain shapes come from the
// engine's own type modules (only their constants reach the bundle).
import { api, apiData } from './client.js'
import type { ListEnvelope } from './types.js'

export { FIELD_OPERATORS, RULE_HOOKS, RULE_TYPES, type FieldOperator, type RuleHook, type RuleType } from '../../../lib/rules/types.js'
import type { RuleDef } from '../../../lib/rules/types.js'
export { ACTION_TYPES, type ActionType } from '../../../lib/state-machines/types.js'
import type { ActionType } from '../../../lib/state-machines/types.js'
export { INSTANCE_STATUSES, STEP_TYPES, type HistoryEntry, type InstanceStatus, type StepType, type WaitingFor } from '../../../lib/workflows/types.js'
import type { HistoryEntry, InstanceStatus, WaitingFor } from '../../../lib/workflows/types.js'

/** `related_load` entries: a relation name or `{relation, filter}`. */
export type RelatedLoad = string | { relation: string, filter?: Record<string, unknown> }

export type RuleBody = RuleDef

export interface Stored {
  id: string
  created_at: string
  updated_at: string
}

export type RuleRow = RuleBody & Stored

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

/** A goto: `"end"`, a step id, or `{goto}`. */
export type Goto = string | { goto: string }
export type Assignee = { type: 'role', role: string } | { type: 'user', user_id: string }

export type StepDef =
  | { id: string, type: 'action', actions: ActionDef[], then?: Goto }
  | { id: string, type: 'condition', expression: string, on_true: Goto, on_false: Goto }
  | { id: string, type: 'approval', assignee?: Assignee, timeout?: string, on_approve: Goto, on_reject: Goto, on_timeout?: Goto }
  | { id: string, type: 'wait', duration: string, then?: Goto }

export interface WorkflowBody {
  name: string
  trigger: { type: 'state_change', entity: string, field: string, to: string | number | boolean }
  context: Record<string, string>
  steps: StepDef[]
  active: boolean
}

export type WorkflowRow = WorkflowBody & Stored

export interface Instance {
  id: string
  workflow_id: string | null
  workflow_name: string
  status: InstanceStatus
  /** Set while a running instance is paused at an approval or a wait. */
  waiting_for: WaitingFor | null
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
