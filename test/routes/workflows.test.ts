import t from 'tap'
import { expectError } from '../helper.js'
import { dataOf, detailsOf, type Row } from './business-fixtures.js'
import { approvalWorkflow, setup } from './workflows-fixtures.js'

// Response bodies are read loosely, as a client would.
type Json = Record<string, any>

t.test('admin CRUD: create, read, list by entity, merge update, unique name, delete', async (t) => {
  const f = await setup(t)
  const { a } = f
  const created = dataOf(t, await a.as(a.admin, { method: 'POST', url: '/_admin/workflows', payload: approvalWorkflow('review') }), 201)
  t.match(created, { name: 'review', active: true, trigger: { entity: 'request', to: 'pending' } })
  t.equal((created.steps as Row[]).length, 4)
  const id = String(created.id)

  t.same(dataOf(t, await a.as(a.admin, { url: `/_admin/workflows/${id}` })).name, 'review')
  t.equal((dataOf(t, await a.as(a.admin, { url: '/_admin/workflows?entity=request' })) as unknown as Row[]).length, 1)
  t.equal((dataOf(t, await a.as(a.admin, { url: '/_admin/workflows?entity=note' })) as unknown as Row[]).length, 0)

  const paused = dataOf(t, await a.as(a.admin, { method: 'PUT', url: `/_admin/workflows/${id}`, payload: { active: false } }))
  t.match(paused, { active: false, name: 'review' }, 'PUT merges over the stored definition')
  t.equal((paused.steps as Row[]).length, 4)

  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/workflows', payload: approvalWorkflow('review') }), 409, 'CONFLICT')
  dataOf(t, await a.as(a.admin, { method: 'POST', url: '/_admin/workflows', payload: approvalWorkflow('other') }), 201)
  expectError(t, await a.as(a.admin, { method: 'PUT', url: `/_admin/workflows/${id}`, payload: { name: 'other' } }), 409, 'CONFLICT')

  t.same(dataOf(t, await a.as(a.admin, { method: 'DELETE', url: `/_admin/workflows/${id}` })), { id })
  expectError(t, await a.as(a.admin, { url: `/_admin/workflows/${id}` }), 404, 'NOT_FOUND')
  expectError(t, await a.as(a.admin, { url: '/_admin/workflows/not-a-uuid' }), 404, 'NOT_FOUND')
  expectError(t, await a.as(a.admin, { method: 'DELETE', url: `/_admin/workflows/${id}` }), 404, 'NOT_FOUND')
})

t.test('admin routes need an admin', async (t) => {
  const f = await setup(t)
  expectError(t, await f.a.as(null, { url: '/_admin/workflows' }), 401, 'UNAUTHORIZED')
})

const base = approvalWorkflow('bad')
const steps = base.steps as Json[]
const withStep = (i: number, patch: Json): Row => ({ ...base, steps: steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) })

/** [what, body, field the 422 names, rule]. */
const INVALID: Array<[string, Row, string, string]> = [
  ['unknown entity', { ...base, trigger: { type: 'state_change', entity: 'nope', field: 'status', to: 'x' } }, 'trigger.entity', 'exists'],
  ['unknown field', { ...base, trigger: { type: 'state_change', entity: 'request', field: 'stat', to: 'pending' } }, 'trigger.field', 'exists'],
  ['to outside the enum', { ...base, trigger: { type: 'state_change', entity: 'request', field: 'status', to: 'limbo' } }, 'trigger.to', 'enum'],
  ['trigger type', { ...base, trigger: { type: 'on_create', entity: 'request', field: 'status', to: 'pending' } }, 'trigger.type', 'enum'],
  ['context syntax', { ...base, context: { id: 'record.id +' } }, 'context.id', 'expression'],
  ['condition syntax', withStep(0, { expression: 'context.amount >' }), 'steps[0].expression', 'expression'],
  ['duplicate step id', withStep(1, { id: 'check' }), 'steps[1].id', 'unique'],
  ['unknown goto', withStep(0, { on_true: { goto: 'nowhere' } }), 'steps[0].on_true', 'goto'],
  ['unknown step type', withStep(0, { type: 'loop' }), 'steps[0].type', 'enum'],
  ['bad timeout', withStep(1, { timeout: '48x' }), 'steps[1].timeout', 'duration'],
  ['on_timeout without timeout', withStep(1, { timeout: undefined }), 'steps[1].timeout', 'required'],
  ['actions not a list', withStep(2, { actions: { type: 'set_field' } }), 'steps[2].actions', 'type'],
  ['assignee', withStep(1, { assignee: { type: 'group', role: 'boss' } }), 'steps[1].assignee', 'assignee'],
  ['unknown action type', withStep(2, { actions: [{ type: 'email' }] }), 'steps[2].actions[0].type', 'enum'],
  ['set_field unknown field', withStep(2, { actions: [{ type: 'set_field', record_id: 'context.id', field: 'nope', value: 1 }] }), 'steps[2].actions[0].field', 'exists'],
  ['set_field bad value', withStep(2, { actions: [{ type: 'set_field', record_id: 'context.id', field: 'status', value: 'limbo' }] }), 'steps[2].actions[0].value', 'enum'],
  ['create_record unknown entity', withStep(2, { actions: [{ type: 'create_record', entity: 'nope', data: {} }] }), 'steps[2].actions[0].entity', 'exists'],
  ['webhook url', withStep(2, { actions: [{ type: 'webhook', url: 'ftp://x' }] }), 'steps[2].actions[0].url', 'url'],
  ['unknown key', withStep(2, { next: 'end' }), 'steps[2].next', 'unknown'],
  ['no steps', { ...base, steps: [] }, 'steps', 'type'],
  ['wait duration', { ...base, steps: [{ id: 'w', type: 'wait', duration: 'soon' }] }, 'steps[0].duration', 'duration']
]

t.test('invalid definitions are refused with 422 naming the problem', async (t) => {
  const f = await setup(t)
  for (const [what, body, field, rule] of INVALID) {
    const res = await f.a.as(f.a.admin, { method: 'POST', url: '/_admin/workflows', payload: body })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.ok(detailsOf(res).some((d) => d.field === field && d.rule === rule), `${what}: ${field} ${rule} in ${JSON.stringify(detailsOf(res)).slice(0, 300)}`)
  }
  const syntax = await f.a.as(f.a.admin, { method: 'POST', url: '/_admin/workflows', payload: withStep(0, { expression: 'context.amount >' }) })
  t.equal(typeof detailsOf(syntax)[0]?.position, 'number', 'an expression error carries its position')
  const goto = withStep(3, { then: { goto: 'end' } })
  dataOf(t, await f.a.as(f.a.admin, { method: 'POST', url: '/_admin/workflows', payload: { ...goto, name: 'gotos', steps: [...(goto.steps as Json[]), { id: 'w', type: 'wait', duration: '1h30m' }] } }), 201)
  t.equal((dataOf(t, await f.a.as(f.a.admin, { url: '/_admin/workflows' })) as unknown as Row[]).length, 1, 'nothing invalid was stored')
})
