import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import type { SideEffect } from '../../lib/state-machines/side-effects.js'
import { actionOverrides, build, createTestApp, expectError, type TestApp } from '../helper.js'
import { adminCreate, appContext, dataOf, defineSchema, detailsOf, expectRefused, userToken, type RefusedDefinition, type Row } from './business-fixtures.js'

/** ticket 1—n ticket_log (cascade), ticket 1—n subtask (cascade). */
const SCHEMA = {
  entities: [
    {
      name: 'ticket',
      table: 'tickets',
      fields: [
        { name: 'id', type: 'uuid' },
        { name: 'title', type: 'string', required: true },
        { name: 'status', type: 'string' },
        { name: 'priority', type: 'string', default: 'normal', enum: ['low', 'normal', 'high'] },
        { name: 'resolved_at', type: 'timestamp' },
        { name: 'closed_on', type: 'date' },
        { name: 'note', type: 'string' }
      ]
    },
    { name: 'ticket_log', table: 'ticket_logs', fields: [{ name: 'id', type: 'uuid' }, { name: 'ticket_id', type: 'uuid' }, { name: 'message', type: 'string', required: true }, { name: 'code', type: 'string', unique: true }, { name: 'at', type: 'timestamp' }] },
    { name: 'subtask', table: 'subtasks', fields: [{ name: 'id', type: 'uuid' }, { name: 'ticket_id', type: 'uuid' }, { name: 'state', type: 'string', enum: ['todo', 'doing', 'done'] }] }
  ],
  relations: [
    { name: 'logs', type: 'one_to_many', source: 'ticket', target: 'ticket_log', source_key: 'id', target_key: 'ticket_id', on_delete: 'cascade', inverse_name: 'ticket' },
    { name: 'subtasks', type: 'one_to_many', source: 'ticket', target: 'subtask', source_key: 'id', target_key: 'ticket_id', on_delete: 'cascade', inverse_name: 'ticket' }
  ]
}

const TICKET_MACHINE = {
  entity: 'ticket',
  field: 'status',
  definition: {
    initial: 'open',
    transitions: [
      { from: 'open', to: 'assigned' },
      { from: ['open', 'assigned'], to: 'on_hold', actions: [] },
      { from: 'assigned', to: 'in_progress' },
      {
        from: 'in_progress',
        to: 'resolved',
        actions: [
          { type: 'set_field', field: 'resolved_at', value: 'now' },
          { type: 'create_record', entity: 'ticket_log', data: { ticket_id: 'record.id', message: "'resolved: ' + record.title", at: 'now', code: 'record.note' } },
          { type: 'webhook', url: 'https://hooks.example.test/resolved' },
          { type: 'send_event', event: 'ticket.resolved' }
        ]
      },
      { from: 'resolved', to: 'closed', roles: ['manager'], actions: [{ type: 'set_field', field: 'closed_on', value: 'now' }, { type: 'set_field', field: 'note', value: 'closed by a manager' }] },
      { from: 'open', to: 'escalated', guard: "record.priority == 'high' && len(record.title) > 3" },
      { from: 'on_hold', to: 'broken', actions: [{ type: 'create_record', entity: 'ticket_log', data: { ticket_id: 'record.id', message: 'null' } }] }
    ]
  }
}

interface Fixture { app: FastifyInstance, a: TestApp }

/** The file's app runs the engine's own handlers unless a test takes a type over. */
const actions = actionOverrides()

async function setup (t: Test): Promise<Fixture> {
  const app = await build(t, {}, { modules: actions.modules })
  const a = await createTestApp(app, 'sm')
  await defineSchema(t, a, SCHEMA)
  return { app, a }
}

async function ticket (t: Test, a: TestApp, payload: Row, token = a.admin): Promise<Row> {
  return dataOf(t, await a.as(token, { method: 'POST', url: '/ticket', payload }), 201)
}

const move = async (a: TestApp, id: unknown, payload: Row, token = a.admin): ReturnType<TestApp['as']> =>
  await a.as(token, { method: 'PUT', url: `/ticket/${String(id)}`, payload })

/** Takes over the after-commit action types for one test (the webhooks and events modules handle them otherwise). */
function capture (t: Test, app: string): SideEffect[] {
  const seen: SideEffect[] = []
  const keep = (e: SideEffect): void => { if (e.app.name === app) seen.push(e) }
  const restore = [actions.takeOver('webhook', keep), actions.takeOver('send_event', keep)]
  t.teardown(() => { for (const r of restore.reverse()) r() })
  return seen
}

t.test('state machine CRUD; one active machine per field', async (t) => {
  const { a } = await setup(t)
  const m = await adminCreate(a, 'state-machines', TICKET_MACHINE)
  t.match(m, { entity: 'ticket', field: 'status', active: true, definition: { initial: 'open' } })
  t.same((dataOf(t, await a.as(a.admin, { url: '/_admin/state-machines?entity=ticket' })) as unknown as Row[]).map((x) => x.id), [m.id])
  t.same(dataOf(t, await a.as(a.admin, { url: '/_admin/state-machines?entity=subtask' })), [])
  t.equal(dataOf(t, await a.as(a.admin, { url: `/_admin/state-machines/${String(m.id)}` })).field, 'status')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/state-machines', payload: TICKET_MACHINE }), 409, 'CONFLICT')
  const second = await adminCreate(a, 'state-machines', { ...TICKET_MACHINE, active: false })
  expectError(t, await a.as(a.admin, { method: 'PUT', url: `/_admin/state-machines/${String(second.id)}`, payload: { active: true } }), 409, 'CONFLICT')
  t.equal(dataOf(t, await a.as(a.admin, { method: 'PUT', url: `/_admin/state-machines/${String(m.id)}`, payload: { active: false } })).active, false)
  t.equal(dataOf(t, await a.as(a.admin, { method: 'PUT', url: `/_admin/state-machines/${String(second.id)}`, payload: { active: true } })).active, true)
  t.same(dataOf(t, await a.as(a.admin, { method: 'DELETE', url: `/_admin/state-machines/${String(m.id)}` })), { id: m.id })
  expectError(t, await a.as(a.admin, { url: `/_admin/state-machines/${String(m.id)}` }), 404, 'NOT_FOUND')
  expectError(t, await a.as(a.admin, { url: '/_admin/state-machines/nope' }), 404, 'NOT_FOUND')
})

t.test('saving refuses bad machines with 422 naming the problem', async (t) => {
  const { a } = await setup(t)
  const withTransitions = (transitions: unknown[], extra: Row = {}): Row => ({ ...TICKET_MACHINE, ...extra, definition: { initial: 'open', transitions } })
  const cases: RefusedDefinition[] = [
    { name: 'unknown entity', body: { ...TICKET_MACHINE, entity: 'tiket' }, field: 'entity' },
    { name: 'unknown field', body: { ...TICKET_MACHINE, field: 'stat' }, field: 'field' },
    { name: 'field of the wrong type', body: { ...TICKET_MACHINE, field: 'resolved_at' }, field: 'field' },
    { name: 'no initial', body: { ...TICKET_MACHINE, definition: { transitions: [] } }, field: 'definition.initial' },
    { name: 'transitions not a list', body: { ...TICKET_MACHINE, definition: { initial: 'open', transitions: {} } }, field: 'definition.transitions' },
    { name: 'transition without from', body: withTransitions([{ to: 'x' }]), field: 'definition.transitions[0].from' },
    { name: 'to not a string', body: withTransitions([{ from: 'open', to: 3 }]), field: 'definition.transitions[0].to' },
    { name: 'empty from list', body: withTransitions([{ from: [], to: 'x' }]), field: 'definition.transitions[0].from' },
    { name: 'to itself', body: withTransitions([{ from: 'open', to: 'open' }]), field: 'definition.transitions[0].to' },
    { name: 'duplicate transition', body: withTransitions([{ from: 'open', to: 'x' }, { from: ['a', 'open'], to: 'x' }]), field: 'definition.transitions[1]' },
    { name: 'unknown transition key', body: withTransitions([{ from: 'open', to: 'x', when: 'true' }]), field: 'definition.transitions[0].when' },
    { name: 'roles not a list', body: withTransitions([{ from: 'open', to: 'x', roles: 'manager' }]), field: 'definition.transitions[0].roles' },
    { name: 'guard syntax', body: withTransitions([{ from: 'open', to: 'x', guard: 'record.priority ==' }]), field: 'definition.transitions[0].guard', position: 18 },
    { name: 'unknown action type', body: withTransitions([{ from: 'open', to: 'x', actions: [{ type: 'email' }] }]), field: 'definition.transitions[0].actions[0].type' },
    { name: 'set_field unknown field', body: withTransitions([{ from: 'open', to: 'x', actions: [{ type: 'set_field', field: 'resolvd_at', value: 'now' }] }]), field: 'definition.transitions[0].actions[0].field' },
    { name: 'set_field invalid literal', body: withTransitions([{ from: 'open', to: 'x', actions: [{ type: 'set_field', field: 'priority', value: 'urgent' }] }]), field: 'definition.transitions[0].actions[0].value' },
    { name: 'set_field on the state field', body: withTransitions([{ from: 'open', to: 'x', actions: [{ type: 'set_field', field: 'status', value: 'y' }] }]), field: 'definition.transitions[0].actions[0].field' },
    { name: 'create_record unknown entity', body: withTransitions([{ from: 'open', to: 'x', actions: [{ type: 'create_record', entity: 'audit', data: {} }] }]), field: 'definition.transitions[0].actions[0].entity' },
    { name: 'create_record unknown field', body: withTransitions([{ from: 'open', to: 'x', actions: [{ type: 'create_record', entity: 'ticket_log', data: { msg: "'x'" } }] }]), field: 'definition.transitions[0].actions[0].data.msg' },
    { name: 'create_record bad expression', body: withTransitions([{ from: 'open', to: 'x', actions: [{ type: 'create_record', entity: 'ticket_log', data: { message: "'a' +" } }] }]), field: 'definition.transitions[0].actions[0].data.message', position: 5 },
    { name: 'state outside the enum', body: { entity: 'subtask', field: 'state', definition: { initial: 'todo', transitions: [{ from: 'todo', to: 'blocked' }] } }, field: 'definition.transitions[0].to' },
    { name: 'unknown top-level key', body: { ...TICKET_MACHINE, states: [] }, field: 'states' }
  ]
  await expectRefused(t, a, 'state-machines', cases)
})

t.test('create: initial state, valid and invalid initial transitions', async (t) => {
  const { a } = await setup(t)
  await adminCreate(a, 'state-machines', TICKET_MACHINE)
  t.equal((await ticket(t, a, { title: 'no status' })).status, 'open', 'the field defaults to initial')
  t.equal((await ticket(t, a, { title: 'explicit', status: 'open' })).status, 'open')
  t.equal((await ticket(t, a, { title: 'null', status: null })).status, 'open')
  t.equal((await ticket(t, a, { title: 'straight to assigned', status: 'assigned' })).status, 'assigned', 'a transition from initial may be taken on create')
  const bad = await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'x', status: 'resolved' } })
  expectError(t, bad, 422, 'VALIDATION_FAILED')
  t.match(bad.json().error.message, /initial status 'resolved'.*starts as 'open'/)
  t.match(detailsOf(bad), [{ field: 'status', rule: 'transition' }])
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'low', status: 'escalated' } }), 422, 'VALIDATION_FAILED')
})

t.test('update: valid transition, invalid transition 422 naming from and to, unchanged value', async (t) => {
  const { app, a } = await setup(t)
  await adminCreate(a, 'state-machines', TICKET_MACHINE)
  const tk = await ticket(t, a, { title: 'printer' })
  t.equal(dataOf(t, await move(a, tk.id, { status: 'assigned' })).status, 'assigned')
  const bad = await move(a, tk.id, { status: 'resolved' })
  expectError(t, bad, 422, 'VALIDATION_FAILED')
  t.equal(bad.json().error.message, "Invalid status transition from 'assigned' to 'resolved' (allowed from 'assigned': on_hold, in_progress)")
  t.match(detailsOf(bad), [{ field: 'status', rule: 'transition', message: /from 'assigned' to 'resolved'/ }])
  t.equal(dataOf(t, await move(a, tk.id, { status: 'assigned', note: 'same state is no transition' })).note, 'same state is no transition')
  t.equal(dataOf(t, await move(a, tk.id, { note: 'status untouched' })).status, 'assigned')
  const ctx = await appContext(app, a)
  const legacy = (await ctx.sql`INSERT INTO tickets (title) VALUES ('legacy') RETURNING id`)[0]?.id
  t.equal(dataOf(t, await move(a, legacy, { status: 'assigned' })).status, 'assigned', 'a row without a state counts as initial')
})

t.test('roles: 403 without one of the roles; admins pass', async (t) => {
  const { app, a } = await setup(t)
  await adminCreate(a, 'state-machines', TICKET_MACHINE)
  for (const action of ['read', 'create', 'update']) await adminCreate(a, 'permissions', { entity: 'ticket', action, roles: ['agent', 'manager'] })
  await adminCreate(a, 'permissions', { entity: 'ticket_log', action: 'read', roles: ['agent', 'manager'] })
  const agent = await userToken(app, a, 'agent@example.test', ['agent'])
  const manager = await userToken(app, a, 'manager@example.test', ['manager'])
  const resolved = async (title: string): Promise<Row> => {
    const tk = await ticket(t, a, { title, status: 'assigned' }, agent)
    for (const status of ['in_progress', 'resolved']) t.equal((await move(a, tk.id, { status }, agent)).statusCode, 200)
    return tk
  }
  const tk = await resolved('needs a manager')
  const denied = await move(a, tk.id, { status: 'closed' }, agent)
  expectError(t, denied, 403, 'FORBIDDEN')
  t.equal(denied.json().error.message, "The status transition from 'resolved' to 'closed' requires one of the roles: manager")
  const closed = dataOf(t, await move(a, tk.id, { status: 'closed' }, manager))
  t.equal(closed.closed_on, new Date().toISOString().slice(0, 10), 'set_field now on a date field')
  t.equal(closed.note, 'closed by a manager', 'set_field literal')
  const other = await resolved('admin closes')
  t.equal(dataOf(t, await move(a, other.id, { status: 'closed' })).status, 'closed', 'the admin role bypasses transition roles')
})

t.test('guard: false is 422, true passes', async (t) => {
  const { a } = await setup(t)
  await adminCreate(a, 'state-machines', TICKET_MACHINE)
  const low = await ticket(t, a, { title: 'slow page' })
  const res = await move(a, low.id, { status: 'escalated' })
  expectError(t, res, 422, 'VALIDATION_FAILED')
  t.match(detailsOf(res), [{ field: 'status', rule: 'guard', message: /guard .* is false/ }])
  t.equal(dataOf(t, await move(a, low.id, { status: 'escalated', priority: 'high' })).status, 'escalated', 'the guard sees the incoming values merged over the row')
})

t.test('actions: set_field now, create_record in the transaction, webhook/send_event after commit', async (t) => {
  const { a } = await setup(t)
  await adminCreate(a, 'state-machines', TICKET_MACHINE)
  const effects = capture(t, a.name)
  const tk = await ticket(t, a, { title: 'disk full', status: 'assigned' })
  t.equal((await move(a, tk.id, { status: 'in_progress' })).statusCode, 200)
  const before = Date.now()
  const done = dataOf(t, await move(a, tk.id, { status: 'resolved', note: 'R-1' }))
  const at = Date.parse(String(done.resolved_at))
  t.ok(at >= before - 1000 && at <= Date.now() + 1000, 'resolved_at is now')
  const logs = dataOf(t, await a.as(a.admin, { url: `/ticket/${String(tk.id)}?include=logs` })).logs as Row[]
  t.match(logs, [{ message: 'resolved: disk full', code: 'R-1', ticket_id: tk.id }], 'create_record used the written row (record.id)')
  t.equal(Date.parse(String(logs[0]?.at)), at, 'the now variable is the unit timestamp')
  t.same(effects.map((e) => [e.type, e.from, e.to, e.record.id]), [['webhook', 'in_progress', 'resolved', tk.id], ['send_event', 'in_progress', 'resolved', tk.id]])
  t.match(effects[0], { entity: 'ticket', field: 'status', action: { type: 'webhook', url: 'https://hooks.example.test/resolved' }, user: { email: 'admin@localhost' } })
  t.equal(effects[1]?.action.event, 'ticket.resolved')
})

t.test('create_record and effects roll back with the write', async (t) => {
  const { a } = await setup(t)
  await adminCreate(a, 'state-machines', TICKET_MACHINE)
  const effects = capture(t, a.name)
  const logCount = async (): Promise<number> => (dataOf(t, await a.as(a.admin, { url: '/ticket_log' })) as unknown as Row[]).length
  await a.as(a.admin, { method: 'POST', url: '/ticket_log', payload: { message: 'taken', code: 'DUP' } })
  const tk = await ticket(t, a, { title: 'rollback', status: 'assigned' })
  await move(a, tk.id, { status: 'in_progress' })
  const failed = await move(a, tk.id, { status: 'resolved', note: 'DUP' })
  expectError(t, failed, 409, 'CONFLICT')
  t.match(detailsOf(failed), [{ field: 'code' }], 'the created record failed inside the transaction')
  const later = await move(a, tk.id, { status: 'resolved', note: 'R-2', logs: [{ message: 'child', code: 'DUP' }] })
  expectError(t, later, 409, 'CONFLICT')
  t.equal(await logCount(), 1, 'the created record was rolled back with the failing child write')
  t.equal(dataOf(t, await a.as(a.admin, { url: `/ticket/${String(tk.id)}` })).status, 'in_progress', 'the parent is unchanged')
  t.same(effects, [], 'no webhook/send_event for rolled-back units')
  const hold = await ticket(t, a, { title: 'hold' })
  t.equal((await move(a, hold.id, { status: 'on_hold' })).statusCode, 200)
  const invalid = await move(a, hold.id, { status: 'broken' })
  expectError(t, invalid, 422, 'VALIDATION_FAILED')
  t.match(detailsOf(invalid), [{ field: 'message', rule: 'required' }], 'the created record goes through validation (null in a required field)')
  t.equal(dataOf(t, await a.as(a.admin, { url: `/ticket/${String(hold.id)}` })).status, 'on_hold')
})

t.test('after-commit handlers: a type goes to its one handler; failures never reach the client', async (t) => {
  const { a } = await setup(t)
  await adminCreate(a, 'state-machines', TICKET_MACHINE)
  const seen: string[] = []
  const restoreWebhook = actions.takeOver('webhook', (e) => { seen.push(`${e.to}:${String(e.action.url)}`) })
  const restoreEvent = actions.takeOver('send_event', () => { throw new Error('event bus down') })
  t.teardown(() => { restoreWebhook(); restoreEvent() })
  const tk = await ticket(t, a, { title: 'handlers', status: 'assigned' })
  await move(a, tk.id, { status: 'in_progress' })
  t.equal((await move(a, tk.id, { status: 'resolved' })).statusCode, 200, 'a failing handler does not fail the committed write')
  t.same(seen, ['resolved:https://hooks.example.test/resolved'])
})

t.test('nested children run their own state machines and rules', async (t) => {
  const { a } = await setup(t)
  await adminCreate(a, 'state-machines', TICKET_MACHINE)
  await adminCreate(a, 'state-machines', { entity: 'subtask', field: 'state', definition: { initial: 'todo', transitions: [{ from: 'todo', to: 'doing' }, { from: 'doing', to: 'done' }] } })
  await adminCreate(a, 'rules', { entity: 'ticket_log', type: 'field', definition: { field: 'message', operator: 'min_length', value: 3 } })
  const bad = await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'nested', subtasks: [{}, { state: 'done' }] } })
  expectError(t, bad, 422, 'VALIDATION_FAILED')
  t.match(detailsOf(bad), [{ field: 'subtasks[1].state', relation: 'subtasks', index: 1, rule: 'transition' }])
  const created = dataOf(t, await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'nested', subtasks: [{}, { state: 'doing' }] } }), 201)
  const subtasks = created.subtasks as Row[]
  t.same(subtasks.map((s) => s.state).sort(), ['doing', 'todo'], 'an absent state starts as initial; doing is reachable from it')
  const sub = subtasks.find((s) => s.state === 'todo')
  const skip = await move(a, created.id, { subtasks: [{ id: sub?.id, state: 'done' }] })
  expectError(t, skip, 422, 'VALIDATION_FAILED')
  t.match(detailsOf(skip), [{ field: 'subtasks[0].state', message: /from 'todo' to 'done'/ }])
  const short = await move(a, created.id, { logs: [{ message: 'ok' }] })
  expectError(t, short, 422, 'VALIDATION_FAILED')
  t.match(detailsOf(short), [{ field: 'logs[0].message', rule: 'min_length' }])
})
