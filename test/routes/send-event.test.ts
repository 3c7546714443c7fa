// `send_event` actions of state machines and workflows record business events in `_events`
// after commit, like `POST /_events` (docs/ARCHITECTURE.md, Instrumentation and events).
import t, { type Test } from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { adminCreate, dataOf, defineSchema, detailsOf, type Row } from './business-fixtures.js'
import { SCHEMA } from './workflows-fixtures.js'

// Response bodies are read loosely, as a client would.
type Json = Record<string, any>

const MACHINE = {
  entity: 'request',
  field: 'status',
  definition: {
    initial: 'draft',
    transitions: [
      { from: 'draft', to: 'pending', actions: [{ type: 'send_event', event: 'request.submitted', data: { title: 'record.title', by: 'user.email', was: 'old.status', double: 'record.amount * 2' } }] },
      { from: 'pending', to: 'approved', actions: [{ type: 'send_event', event: 'request.approved' }] },
      { from: 'pending', to: 'rejected' }
    ]
  }
}

async function setup (t: Test): Promise<{ a: TestApp, flush: () => Promise<void> }> {
  const app = await build(t)
  const a = await createTestApp(app, 'sendev')
  await defineSchema(t, a, SCHEMA)
  return { a, flush: async () => { await app.events.flush() } }
}
async function business (a: TestApp): Promise<Json[]> {
  const res = await a.as(a.admin, { url: '/_admin/events?source=business' })
  t.equal(res.statusCode, 200, res.body.slice(0, 200))
  return (res.json() as Json).data
}

t.test('a state-machine transition records its send_event after commit, with the evaluated data', async (t) => {
  const { a, flush } = await setup(t)
  await adminCreate(a, 'state-machines', MACHINE)
  const r = dataOf(t, await a.as(a.admin, { method: 'POST', url: '/request', payload: { title: 'Laptop', amount: 21 } }), 201)
  dataOf(t, await a.as(a.admin, { method: 'PUT', url: `/request/${String(r.id)}`, payload: { status: 'pending' } }))
  // A write that fails after the transition was taken rolls back: no event.
  const bad = await a.as(a.admin, { method: 'PUT', url: `/request/${String(r.id)}`, payload: { status: 'approved', notes: [{ text: null }] } })
  t.equal(bad.statusCode, 422, 'the failing write is refused')
  dataOf(t, await a.as(a.admin, { method: 'PUT', url: `/request/${String(r.id)}`, payload: { status: 'approved' } }))
  await flush()
  const rows = await business(a)
  t.equal(rows.length, 2, 'one event per committed transition, none for the rolled-back one')
  const submitted = rows.find((e) => e.event_type === 'request.submitted')
  t.match(submitted, { source: 'business', entity: 'request', record_id: r.id, metadata: { title: 'Laptop', by: 'admin@localhost', was: 'draft', double: 42 } })
  t.match(submitted?.user_id, /^[0-9a-f-]{36}$/, 'the acting user')
  t.match(rows.find((e) => e.event_type === 'request.approved'), { entity: 'request', record_id: r.id, metadata: null })
  const byType = await a.as(a.admin, { url: '/_admin/events?event_type=request.approved' })
  t.equal((byType.json() as Json).data.length, 1, 'listed by event type like any business event')
})

t.test('a workflow action step records its send_event, in the instance trace', async (t) => {
  const { a, flush } = await setup(t)
  await adminCreate(a, 'workflows', {
    name: 'announce',
    trigger: { type: 'state_change', entity: 'request', field: 'status', to: 'pending' },
    context: { id: 'record.id', title: 'record.title' },
    steps: [{ id: 'tell', type: 'action', actions: [{ type: 'send_event', event: 'request.announced', data: { title: 'context.title', step: 'instance.workflow' } }] }]
  })
  const r = dataOf(t, await a.as(a.admin, { method: 'POST', url: '/request', payload: { title: 'Desk', status: 'pending' } }), 201)
  const instances = dataOf(t, await a.as(a.admin, { url: '/_workflows?status=completed' })) as unknown as Row[]
  await flush()
  const [ev] = await business(a)
  t.match(ev, { event_type: 'request.announced', entity: 'request', record_id: r.id, user_id: null, metadata: { title: 'Desk', step: 'announce' } })
  t.equal(ev?.trace_id, `workflow-${String(instances[0]?.id)}`, 'the event sits in the trace of its instance')
})

t.test('malformed send_event actions are refused when saved', async (t) => {
  const { a } = await setup(t)
  const machine = (action: Row): Row => ({ ...MACHINE, definition: { ...MACHINE.definition, transitions: [{ from: 'draft', to: 'pending', actions: [action] }] } })
  const cases: Array<[Row, string, string]> = [
    [{ type: 'send_event' }, 'event', 'required'],
    [{ type: 'send_event', event: '' }, 'event', 'required'],
    [{ type: 'send_event', event: 'x', data: ['record.id'] }, 'data', 'type'],
    [{ type: 'send_event', event: 'x', data: { a: 'record.id +' } }, 'data.a', 'expression'],
    [{ type: 'send_event', event: 'x', extra: 1 }, 'extra', 'unknown']
  ]
  for (const [action, suffix, rule] of cases) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/state-machines', payload: machine(action) })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.ok(detailsOf(res).some((d) => String(d.field).endsWith(suffix) && d.rule === rule), `state machine: ${suffix} ${rule} in ${JSON.stringify(detailsOf(res)).slice(0, 300)}`)
    const wf = await a.as(a.admin, {
      method: 'POST',
      url: '/_admin/workflows',
      payload: { name: 'w', trigger: { type: 'state_change', entity: 'request', field: 'status', to: 'pending' }, steps: [{ id: 's', type: 'action', actions: [action] }] }
    })
    expectError(t, wf, 422, 'VALIDATION_FAILED')
    t.ok(detailsOf(wf).some((d) => d.field === `steps[0].actions[0].${suffix}` && d.rule === rule), `workflow: ${suffix} ${rule}`)
  }
  t.same(dataOf(t, await a.as(a.admin, { url: '/_admin/state-machines' })), [], 'nothing stored')
})
