// Workflow definitions written the seeds' way (docs/ARCHITECTURE.md, Workflows): an approval
// without assignee (admins decide), a timeout without on_timeout (fails at the deadline), an
// action step with no actions; paused instances are `running` with `waiting_for`.
import t from 'tap'
import { createTestApp, expectError } from '../helper.js'
import { adminCreate, appContext, dataOf, userToken, type Row } from './business-fixtures.js'
import { createRequest, onlyInstance, setup, trail } from './workflows-fixtures.js'

// Response bodies are read loosely, as a client would.
type Json = Record<string, any>

const TRIGGER = { type: 'state_change', entity: 'request', field: 'status', to: 'pending' }

/** An approval without assignee and with a timeout but no on_timeout, then a no-op step. */
const SEED_FORM: Row = {
  name: 'seed_form',
  trigger: TRIGGER,
  context: { id: 'record.id' },
  steps: [
    { id: 'review', type: 'approval', timeout: '1h', on_approve: { goto: 'noop' }, on_reject: { goto: 'end' } },
    { id: 'noop', type: 'action', actions: [], then: { goto: 'end' } }
  ]
}

t.test('an approval without assignee is decided by admins only; the paused instance is running', async (t) => {
  const f = await setup(t)
  const created = await adminCreate(f.a, 'workflows', SEED_FORM)
  t.equal(created.name, 'seed_form', 'the seed form is accepted (201)')
  const boss = await userToken(f.app, f.a, 'boss@example.com', ['boss'])

  const r = await createRequest(t, f, { title: 'needs a yes', status: 'pending', amount: 1 })
  const inst = await onlyInstance(t, f, 'seed_form')
  t.match(inst, { status: 'running', waiting_for: 'approval', current_step: 'review', assignee: null })
  t.ok(inst.current_step_deadline instanceof Date, 'the timeout set a deadline')
  const id = String(inst.id)

  const shown = dataOf(t, await f.a.as(f.a.admin, { url: `/_workflows/${id}` }))
  t.match(shown, { status: 'running', waiting_for: 'approval', current_step: 'review' })
  t.notOk('lease_id' in shown, 'lease bookkeeping is not shown')

  const mine = await f.a.as(f.a.admin, { url: '/_workflows/pending' })
  t.same((mine.json() as Json).data.map((i: Json) => i.id), [id], 'admins see it pending')
  t.equal((await f.a.as(boss, { url: '/_workflows/pending' })).json().meta.total, 0, 'a user with any role does not')
  expectError(t, await f.a.as(boss, { method: 'POST', url: `/_workflows/${id}/approve` }), 403, 'FORBIDDEN')

  const running = await f.a.as(f.a.admin, { url: '/_workflows?status=running' })
  t.same((running.json() as Json).data.map((i: Json) => i.id), [id], 'the monitor lists a paused instance as running')
  t.equal((await f.a.as(f.a.admin, { url: '/_workflows?status=running&waiting_for=wait' })).json().meta.total, 0, 'and filters by what it waits for')
  expectError(t, await f.a.as(f.a.admin, { url: '/_workflows?status=waiting_approval' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await f.a.as(f.a.admin, { url: '/_workflows?waiting_for=nothing' }), 400, 'INVALID_PAYLOAD')

  const done = dataOf(t, await f.a.as(f.a.admin, { method: 'POST', url: `/_workflows/${id}/approve`, payload: { comment: 'ok' } }))
  t.match(done, { status: 'completed', waiting_for: null, current_step: null })
  t.same(trail(done), ['null:started', 'review:waiting', 'review:approved', 'noop:completed'], 'the empty action step ran as a no-op')
  const again = await f.a.as(f.a.admin, { method: 'POST', url: `/_workflows/${id}/reject` })
  expectError(t, again, 409, 'CONFLICT')
  t.equal(dataOf(t, await f.a.as(f.a.admin, { url: `/request/${String(r.id)}` })).status, 'pending', 'the no-op step wrote nothing')
})

t.test('a timeout without on_timeout fails the instance at the deadline with a timed_out entry', async (t) => {
  const f = await setup(t)
  await adminCreate(f.a, 'workflows', SEED_FORM)
  await createRequest(t, f, { title: 'nobody answers', status: 'pending', amount: 1 })
  const before = await onlyInstance(t, f, 'seed_form')
  await f.runtime.tick([f.ctx])
  t.match(await onlyInstance(t, f, 'seed_form'), { status: 'running', waiting_for: 'approval' }, 'before the deadline: untouched')

  await f.ctx.sql`UPDATE _workflow_instances SET current_step_deadline = now() - interval '1 second' WHERE id = ${String(before.id)}`
  await f.runtime.tick([f.ctx])
  const after = dataOf(t, await f.a.as(f.a.admin, { url: `/_workflows/${String(before.id)}` }))
  t.match(after, { status: 'failed', waiting_for: null, current_step: 'review', current_step_deadline: null })
  t.match((after.history as Json[]).at(-1), { step: 'review', status: 'timed_out', by: null })
  t.equal((await f.a.as(f.a.admin, { url: '/_workflows/pending' })).json().meta.total, 0, 'no longer pending')
  t.equal((await f.a.as(f.a.admin, { url: '/_workflows?status=failed' })).json().meta.total, 1)
  expectError(t, await f.a.as(f.a.admin, { method: 'POST', url: `/_workflows/${String(before.id)}/approve` }), 409, 'CONFLICT')
  const row = await onlyInstance(t, f, 'seed_form')
  t.same([row.lease_id, row.locked_until], [null, null], 'the lease is released')
})

t.test('still refused: a malformed assignee, on_timeout without timeout, actions that are not a list', async (t) => {
  const f = await setup(t)
  const steps = SEED_FORM.steps as Row[]
  const cases: Array<[Row, string, string]> = [
    [{ ...steps[0], assignee: { type: 'role' } }, 'steps[0].assignee', 'assignee'],
    [{ ...steps[0], timeout: undefined, on_timeout: { goto: 'end' } }, 'steps[0].timeout', 'required'],
    [{ ...steps[0], assignee: 'admins' }, 'steps[0].assignee', 'assignee']
  ]
  for (const [step, field, rule] of cases) {
    const res = await f.a.as(f.a.admin, { method: 'POST', url: '/_admin/workflows', payload: { ...SEED_FORM, steps: [step, steps[1]] } })
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.ok((res.json() as Json).error.details.some((d: Json) => d.field === field && d.rule === rule), `${field} ${rule}`)
  }
  const noList = await f.a.as(f.a.admin, { method: 'POST', url: '/_admin/workflows', payload: { ...SEED_FORM, steps: [steps[0], { ...steps[1], actions: null }] } })
  expectError(t, noList, 422, 'VALIDATION_FAILED')
  t.equal((dataOf(t, await f.a.as(f.a.admin, { url: '/_admin/workflows' })) as unknown as Row[]).length, 0, 'nothing stored')
})

t.test('an exported schema holding such workflows imports into a fresh app, twice', async (t) => {
  const f = await setup(t)
  await adminCreate(f.a, 'workflows', SEED_FORM)
  const exported = dataOf(t, await f.a.as(f.a.admin, { url: '/_admin/export' }))
  t.match(exported.workflows, [{ name: 'seed_form', steps: [{ id: 'review' }, { id: 'noop', actions: [] }] }])
  t.notOk('assignee' in ((exported.workflows as Row[])[0]?.steps as Row[])[0]!, 'no assignee is invented')

  const b = await createTestApp(f.app, 'wfimp')
  const first = dataOf(t, await b.as(b.admin, { method: 'POST', url: '/_admin/import', payload: exported }))
  t.match(first.workflows, { created: [{ name: 'seed_form' }], errors: [] })
  const second = dataOf(t, await b.as(b.admin, { method: 'POST', url: '/_admin/import', payload: exported }))
  t.match(second.workflows, { created: [], skipped: [{ name: 'seed_form' }], errors: [] })
  const ctx = await appContext(f.app, b)
  const req = dataOf(t, await b.as(b.admin, { method: 'POST', url: '/request', payload: { title: 'imported', status: 'pending' } }), 201)
  const rows = await ctx.sql<Row[]>`SELECT status, waiting_for, current_step FROM _workflow_instances`
  t.same(rows, [{ status: 'running', waiting_for: 'approval', current_step: 'review' }], `the imported workflow runs (${String(req.id)})`)
})
