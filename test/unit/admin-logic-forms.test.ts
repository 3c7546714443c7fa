// The admin UI's pure conversions for the business-logic pages (admin/src): rule, state-machine
// and workflow forms ↔ API bodies, actions, and the state diagram's layout.
import t from 'tap'
import type { MachineRow, RuleRow, WorkflowRow } from '../../admin/src/api/logic.js'
import { actionDraftOf, actionOf } from '../../admin/src/components/logic/action-form.js'
import { bodyOf, draftOf } from '../../admin/src/pages/rules/rule-form.js'
import { layoutMachine, statesOf } from '../../admin/src/pages/state-machines/diagram-layout.js'
import { machineBodyOf, machineDraftOf } from '../../admin/src/pages/state-machines/machine-form.js'
import { freshStepId, workflowBodyOf, workflowDraftOf } from '../../admin/src/pages/workflows/workflow-form.js'

const stored = { id: '00000000-0000-4000-8000-000000000001', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' }

t.test('rule form: each type round-trips; only its own definition keys are sent', async (t) => {
  const rules: RuleRow[] = [
    { ...stored, entity: 'invoice', hook: 'before_write', type: 'field', priority: 2, active: true, definition: { field: 'total', operator: 'min', value: 0, message: 'no', stop_on_fail: true } },
    { ...stored, entity: 'invoice', hook: 'before_delete', type: 'expression', priority: 0, active: false, definition: { expression: "old.status == 'paid'", message: 'paid', related_load: ['items', { relation: 'items', filter: { 'status.in': ['a'] } }] } },
    { ...stored, entity: 'invoice', hook: 'before_write', type: 'computed', priority: 1, active: true, definition: { field: 'total', expression: "sum(related.items, 'price')", related_load: ['items'] } },
    { ...stored, entity: 'invoice', hook: 'before_write', type: 'field', priority: 0, active: true, definition: { field: 'code', operator: 'pattern', value: '^[0-9]+$' } }
  ]
  for (const r of rules) {
    const { id: _id, created_at: _c, updated_at: _u, ...body } = r
    t.same(bodyOf(draftOf(r)), body, `${r.type} ${String(r.definition.operator ?? '')}`)
  }
  const switched = { ...draftOf(rules[0] ?? null), type: 'computed' as const, hook: 'before_delete' as const, expression: '1' }
  t.same(bodyOf(switched).definition, { field: 'total', expression: '1' }, 'a type change drops the other keys')
  t.equal(bodyOf(switched).hook, 'before_write', 'computed rules are always before_write')
  t.throws(() => bodyOf({ ...switched, relatedLoad: '[oops' }), /related_load/)
  t.throws(() => bodyOf({ ...switched, priority: '1.5' }), /priority/)
})

t.test('actions: drafts round-trip for every type; set_field target keys only for workflows', async (t) => {
  const actions = [
    { type: 'set_field' as const, field: 'sent_at', value: 'now' },
    { type: 'set_field' as const, field: 'count', value: 3 },
    { type: 'create_record' as const, entity: 'note', data: { text: "'sent'", invoice_id: 'record.id' } },
    { type: 'webhook' as const, url: 'https://example.com/h', method: 'PUT', headers: { 'x-k': 'v' }, max_attempts: 3 },
    { type: 'send_event' as const, event: 'invoice.sent', data: { a: 1 } }
  ]
  for (const a of actions) t.same(actionOf(actionDraftOf(a), 'a', false), a, a.type)
  const wf = { type: 'set_field' as const, entity: 'request', record_id: 'context.id', field: 'status', value: 'approved' }
  t.same(actionOf(actionDraftOf(wf), 'a', true), wf, 'workflow set_field keeps entity and record_id')
  t.same(actionOf(actionDraftOf(wf), 'a', false), { type: 'set_field', field: 'status', value: 'approved' }, 'a transition drops them')
  t.throws(() => actionOf({ ...actionDraftOf(actions[2] ?? wf), data: '{' }, 'steps[0].actions[1]', true), /steps\[0\]\.actions\[1\]\.data/)
})

t.test('state machine form: from lists, roles, guards and actions round-trip', async (t) => {
  const m: MachineRow = {
    ...stored,
    entity: 'invoice',
    field: 'status',
    active: true,
    definition: {
      initial: 'draft',
      transitions: [
        { from: 'draft', to: 'sent', roles: ['clerk', 'admin'], actions: [{ type: 'set_field', field: 'sent_at', value: 'now' }] },
        { from: ['draft', 'sent'], to: 'void', guard: 'record.total == 0' }
      ]
    }
  }
  const { id: _id, created_at: _c, updated_at: _u, ...body } = m
  t.same(machineBodyOf(machineDraftOf(m)), body)
})

t.test('workflow form: every step type round-trips; gotos are sent as {goto}', async (t) => {
  const w: WorkflowRow = {
    ...stored,
    name: 'review',
    active: true,
    trigger: { type: 'state_change', entity: 'request', field: 'status', to: 'pending' },
    context: { id: 'record.id', amount: 'record.amount' },
    steps: [
      { id: 'check', type: 'condition', expression: 'context.amount > 100', on_true: { goto: 'review' }, on_false: { goto: 'approve_it' } },
      { id: 'review', type: 'approval', assignee: { type: 'role', role: 'manager' }, timeout: '48h', on_approve: { goto: 'approve_it' }, on_reject: { goto: 'end' }, on_timeout: { goto: 'end' } },
      { id: 'pause', type: 'wait', duration: '30m' },
      { id: 'approve_it', type: 'action', actions: [{ type: 'set_field', field: 'status', value: 'approved' }], then: { goto: 'end' } },
      { id: 'by_user', type: 'approval', assignee: { type: 'user', user_id: stored.id }, on_approve: { goto: 'end' }, on_reject: { goto: 'end' } },
      { id: 'by_admins', type: 'approval', timeout: '4h', on_approve: { goto: 'noop' }, on_reject: { goto: 'end' } },
      { id: 'noop', type: 'action', actions: [] }
    ]
  }
  const { id: _id, created_at: _c, updated_at: _u, ...body } = w
  t.same(workflowBodyOf(workflowDraftOf(w), 'string'), body)
  t.equal(workflowDraftOf(w).steps[5]?.assigneeType, 'admins', 'no assignee: admins decide (no assignee sent back)')
  const numeric = workflowBodyOf({ ...workflowDraftOf(w), to: '3' }, 'int')
  t.equal(numeric.trigger.to, 3, 'a numeric trigger field gets a number')
  t.equal(workflowBodyOf({ ...workflowDraftOf(w), to: '3' }, 'string').trigger.to, '3', 'a string field keeps the text')
  t.equal(freshStepId(workflowDraftOf(w).steps, 'review'), 'review_2')
  t.equal(freshStepId(workflowDraftOf(w).steps, 'notify'), 'notify')
})

t.test('state diagram layout: states by appearance, columns by distance, one edge per from', async (t) => {
  const transitions = [
    { from: 'draft', to: 'sent' },
    { from: 'sent', to: 'paid' },
    { from: ['draft', 'sent'], to: 'void' },
    { from: 'void', to: 'draft' }
  ]
  t.same(statesOf('draft', transitions), ['draft', 'sent', 'paid', 'void'])
  const layout = layoutMachine('draft', transitions)
  const x = Object.fromEntries(layout.nodes.map((n) => [n.name, n.x]))
  t.ok((x.draft ?? 0) < (x.sent ?? 0) && x.sent === x.void && (x.sent ?? 0) < (x.paid ?? 0), 'columns by distance from the initial state')
  t.same(layout.nodes.filter((n) => n.initial).map((n) => n.name), ['draft'])
  t.equal(layout.edges.length, 5)
  t.ok(layout.edges.every((e) => /^M [\d.]+ [\d.]+ Q [\d.-]+ [\d.-]+ [\d.]+ [\d.]+$/.test(e.path)), 'paths stay inside the drawing')
  t.ok(layout.nodes.every((n) => n.y > 0 && n.y < layout.height && n.x > 0 && n.x < layout.width))
  t.same(layoutMachine('', []).nodes, [], 'nothing to draw')
  const orphan = layoutMachine('a', [{ from: 'x', to: 'y' }])
  t.equal(orphan.nodes.length, 3, 'states unreachable from the initial one are still drawn')
})
