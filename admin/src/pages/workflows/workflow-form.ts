import type { Goto, StepDef, StepType, WorkflowBody, WorkflowRow } from '../../api/logic.js'
import { actionDraftOf, actionOf, type ActionDraft } from '../../components/logic/action-form.js'
import { looseValue, valueText } from '../../components/form-values.js'

/** One step being edited: the inputs of every step type; `stepOf` keeps those of its type. */
export interface StepDraft {
  id: string
  type: StepType
  actions: ActionDraft[]
  /** Gotos as a step id or "end"; empty `then` means the next step in the list. */
  then: string
  expression: string
  on_true: string
  on_false: string
  /** `admins`: no assignee, only admins decide. */
  assigneeType: 'role' | 'user' | 'admins'
  role: string
  user_id: string
  timeout: string
  on_approve: string
  on_reject: string
  on_timeout: string
  duration: string
}

export interface WorkflowDraft {
  name: string
  entity: string
  field: string
  to: string
  context: Array<{ key: string, expression: string }>
  steps: StepDraft[]
  active: boolean
}

const gotoText = (g: unknown): string => typeof g === 'string' ? g : typeof g === 'object' && g !== null && typeof (g as { goto?: unknown }).goto === 'string' ? (g as { goto: string }).goto : ''

export function emptyStep (type: StepType, id: string): StepDraft {
  return {
    id,
    type,
    actions: [],
    then: '',
    expression: '',
    on_true: '',
    on_false: '',
    assigneeType: 'role',
    role: '',
    user_id: '',
    timeout: '',
    on_approve: '',
    on_reject: '',
    on_timeout: '',
    duration: ''
  }
}

function stepDraftOf (s: StepDef): StepDraft {
  const d = emptyStep(s.type, s.id)
  switch (s.type) {
    case 'action': return { ...d, actions: s.actions.map(actionDraftOf), then: gotoText(s.then) }
    case 'condition': return { ...d, expression: s.expression, on_true: gotoText(s.on_true), on_false: gotoText(s.on_false) }
    case 'wait': return { ...d, duration: s.duration, then: gotoText(s.then) }
    case 'approval': return {
      ...d,
      assigneeType: s.assignee?.type ?? 'admins',
      role: s.assignee?.type === 'role' ? s.assignee.role : '',
      user_id: s.assignee?.type === 'user' ? s.assignee.user_id : '',
      timeout: s.timeout ?? '',
      on_approve: gotoText(s.on_approve),
      on_reject: gotoText(s.on_reject),
      on_timeout: gotoText(s.on_timeout)
    }
  }
}

export function workflowDraftOf (w: WorkflowRow | null): WorkflowDraft {
  return {
    name: w?.name ?? '',
    entity: w?.trigger.entity ?? '',
    field: w?.trigger.field ?? '',
    to: valueText(w?.trigger.to),
    context: Object.entries(w?.context ?? {}).map(([key, expression]) => ({ key, expression })),
    steps: (w?.steps ?? []).map(stepDraftOf),
    active: w?.active ?? true
  }
}

/** A goto as sent: `{goto}` (the engine also takes a bare id or "end"). */
const goto = (text: string): Goto => ({ goto: text.trim() })

function stepOf (s: StepDraft, i: number): StepDef {
  const id = s.id.trim()
  switch (s.type) {
    case 'action': return { id, type: 'action', actions: s.actions.map((a, j) => actionOf(a, `steps[${i}].actions[${j}]`, true)), ...(s.then.trim() !== '' ? { then: goto(s.then) } : {}) }
    case 'condition': return { id, type: 'condition', expression: s.expression, on_true: goto(s.on_true), on_false: goto(s.on_false) }
    case 'wait': return { id, type: 'wait', duration: s.duration.trim(), ...(s.then.trim() !== '' ? { then: goto(s.then) } : {}) }
    case 'approval': return {
      id,
      type: 'approval',
      ...(s.assigneeType === 'role' ? { assignee: { type: 'role', role: s.role.trim() } } : s.assigneeType === 'user' ? { assignee: { type: 'user', user_id: s.user_id.trim() } } : {}),
      ...(s.timeout.trim() !== '' ? { timeout: s.timeout.trim() } : {}),
      on_approve: goto(s.on_approve),
      on_reject: goto(s.on_reject),
      ...(s.on_timeout.trim() !== '' ? { on_timeout: goto(s.on_timeout) } : {})
    }
  }
}

/**
 * The body the admin API takes. `to` is sent as text for string fields and parsed (number,
 * boolean) otherwise; an empty context key is dropped.
 */
export function workflowBodyOf (d: WorkflowDraft, triggerFieldType: string | undefined): WorkflowBody {
  const textual = triggerFieldType === undefined || triggerFieldType === 'string' || triggerFieldType === 'text'
  const to = textual ? d.to : looseValue(d.to)
  return {
    name: d.name.trim(),
    trigger: { type: 'state_change', entity: d.entity, field: d.field, to: to as WorkflowBody['trigger']['to'] },
    context: Object.fromEntries(d.context.filter((c) => c.key.trim() !== '').map((c) => [c.key.trim(), c.expression])),
    steps: d.steps.map(stepOf),
    active: d.active
  }
}

/** A step id not used yet (`review`, `review_2`…). */
export function freshStepId (steps: StepDraft[], base: string): string {
  const used = new Set(steps.map((s) => s.id))
  if (!used.has(base)) return base
  let n = 2
  while (used.has(`${base}_${n}`)) n++
  return `${base}_${n}`
}
