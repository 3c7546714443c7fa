import { randomUUID } from 'node:crypto'
import t from 'tap'
import { expectError } from '../helper.js'
import { adminCreate, dataOf, userToken, type Row } from './business-fixtures.js'
import { approvalWorkflow, createRequest, instancesOf, onlyInstance, setup, trail, workflowActions } from './workflows-fixtures.js'

// Response bodies are read loosely, as a client would.
type Json = Record<string, any>

t.test('only a committed change to the trigger value starts an instance', async (t) => {
  const f = await setup(t)
  await adminCreate(f.a, 'workflows', approvalWorkflow('review'))
  await createRequest(t, f, { title: 'draft only', amount: 500 })
  t.equal((await instancesOf(f, 'review')).length, 0, 'created as draft: no trigger')

  // The nested note collides on its unique code after the request row was written: everything rolls back.
  await createRequest(t, f, { title: 'seed', notes: [{ text: 'x', code: 'taken' }] })
  const failed = await f.a.as(f.a.admin, { method: 'POST', url: '/request', payload: { title: 'rolled back', status: 'pending', amount: 500, notes: [{ text: 'y', code: 'taken' }] } })
  expectError(t, failed, 409, 'CONFLICT')
  t.equal((await instancesOf(f, 'review')).length, 0, 'a rolled-back write starts nothing')

  const r = await createRequest(t, f, { title: 'later', amount: 500 })
  dataOf(t, await f.a.as(f.a.admin, { method: 'PUT', url: `/request/${String(r.id)}`, payload: { status: 'pending' } }))
  const inst = await onlyInstance(t, f, 'review')
  t.match(inst, { status: 'running', waiting_for: 'approval', current_step: 'review', context: { id: r.id, amount: 500, title: 'later' } })
  t.match(inst.trigger, { entity: 'request', field: 'status', from: 'draft', to: 'pending', record_id: r.id })
  t.same(trail(inst), ['null:started', 'check:completed', 'review:waiting'])
  dataOf(t, await f.a.as(f.a.admin, { method: 'PUT', url: `/request/${String(r.id)}`, payload: { note: 'unrelated change' } }))
  t.equal((await instancesOf(f, 'review')).length, 1, 'a change that leaves the value alone starts nothing')

  await adminCreate(f.a, 'workflows', approvalWorkflow('off', { active: false }))
  await createRequest(t, f, { title: 'created pending', status: 'pending', amount: 5 })
  t.equal((await instancesOf(f, 'review')).length, 2, 'a create storing the value triggers')
  t.equal((await instancesOf(f, 'off')).length, 0, 'an inactive workflow does not')
})

t.test('condition branch: straight approval through the write path (state machine, audit, chained trigger)', async (t) => {
  const f = await setup(t)
  await adminCreate(f.a, 'workflows', approvalWorkflow('review'))
  // A second workflow fires on the first one's write and creates a note (create_record).
  await adminCreate(f.a, 'workflows', {
    name: 'on_approved',
    trigger: { type: 'state_change', entity: 'request', field: 'status', to: 'approved' },
    context: { id: 'record.id', title: 'record.title' },
    steps: [{ id: 'log', type: 'action', actions: [{ type: 'create_record', entity: 'note', data: { request_id: 'context.id', text: "'approved: ' + context.title", code: 'context.id' } }] }]
  })
  const r = await createRequest(t, f, { title: 'small', status: 'pending', amount: 50 })
  const inst = await onlyInstance(t, f, 'review')
  t.match(inst, { status: 'completed', current_step: null })
  t.same(trail(inst), ['null:started', 'check:completed', 'approve_it:completed'])
  t.match((inst.history as Json[])[1]?.detail, { result: false, next: 'approve_it' })
  const after = dataOf(t, await f.a.as(f.a.admin, { url: `/request/${String(r.id)}?include=notes` }))
  t.equal(after.status, 'approved', 'set_field changed the record')
  t.ok(after.approved_at !== null, "the matching transition's set_field ran (roles do not bind the engine)")
  t.match(after.notes, [{ text: 'approved: small', code: r.id }], 'the chained workflow created its note')
  const chained = await onlyInstance(t, f, 'on_approved')
  t.match(chained, { status: 'completed', chain: 1 })
  t.match((chained.history as Json[]).at(-1)?.detail.records, [{ action: 'create_record', entity: 'note' }])
  const audit = await f.ctx.sql<Row[]>`SELECT * FROM _audit_log WHERE entity = 'request' AND record_id = ${String(r.id)} AND action = 'update'`
  t.equal(audit.length, 1, 'the workflow write is audited')
  t.match(audit[0], { user_id: null, changes: { status: { old: 'pending', new: 'approved' } } })
})

t.test('approval: pending list, 403 for others, approve by role, 409 once decided, reject path', async (t) => {
  const f = await setup(t)
  await adminCreate(f.a, 'workflows', approvalWorkflow('review'))
  const boss = await userToken(f.app, f.a, 'boss@x.test', ['boss'])
  const clerk = await userToken(f.app, f.a, 'clerk@x.test', ['clerk'])
  const r1 = await createRequest(t, f, { title: 'big one', status: 'pending', amount: 500 })
  const r2 = await createRequest(t, f, { title: 'big two', status: 'pending', amount: 700 })
  const [i1, i2] = (await instancesOf(f, 'review')).map((i) => String(i.id))

  const pending = await f.a.as(boss, { url: '/_workflows/pending' })
  t.equal(pending.statusCode, 200, pending.body)
  t.equal(pending.json().meta.total, 2)
  t.match(pending.json().data[0], { id: i1, status: 'running', waiting_for: 'approval', assignee: { type: 'role', role: 'boss' } })
  t.notOk('lease_id' in pending.json().data[0], 'lease bookkeeping is not shown')
  t.equal((await f.a.as(clerk, { url: '/_workflows/pending' })).json().meta.total, 0)
  t.equal((await f.a.as(f.a.admin, { url: '/_workflows/pending' })).json().meta.total, 2, 'admins see every pending approval')

  expectError(t, await f.a.as(clerk, { method: 'POST', url: `/_workflows/${i1 as string}/approve` }), 403, 'FORBIDDEN')
  expectError(t, await f.a.as(clerk, { url: `/_workflows/${i1 as string}` }), 404, 'NOT_FOUND')
  expectError(t, await f.a.as(boss, { url: `/_workflows/${randomUUID()}` }), 404, 'NOT_FOUND')
  expectError(t, await f.a.as(boss, { method: 'POST', url: `/_workflows/${i1 as string}/approve`, payload: { comment: 5 } }), 400, 'INVALID_PAYLOAD')
  const typo = expectError(t, await f.a.as(boss, { method: 'POST', url: `/_workflows/${i1 as string}/approve`, payload: { coment: 'x' } }), 400, 'INVALID_PAYLOAD')
  t.match(typo.details, [{ field: 'coment', rule: 'unknown', message: /did you mean 'comment'/ }])

  const approved = dataOf(t, await f.a.as(boss, { method: 'POST', url: `/_workflows/${i1 as string}/approve`, payload: { comment: 'fine' } }))
  t.match(approved, { status: 'completed', current_step: null })
  const decision = (approved.history as Json[]).find((e) => e.status === 'approved')
  t.match(decision, { step: 'review', detail: { comment: 'fine', next: 'approve_it' } })
  t.ok(typeof decision?.by === 'string' && decision.by.length > 0, 'the decider is recorded')
  t.equal(dataOf(t, await f.a.as(f.a.admin, { url: `/request/${String(r1.id)}` })).status, 'approved')
  expectError(t, await f.a.as(boss, { method: 'POST', url: `/_workflows/${i1 as string}/reject` }), 409, 'CONFLICT')
  t.equal(dataOf(t, await f.a.as(boss, { url: `/_workflows/${i1 as string}` })).id, i1, 'a decider may read the instance afterwards')

  const rejected = dataOf(t, await f.a.as(f.a.admin, { method: 'POST', url: `/_workflows/${i2 as string}/reject` }))
  t.match(rejected, { status: 'completed' })
  t.same(trail(rejected).slice(-2), ['review:rejected', 'reject_it:completed'])
  t.equal(dataOf(t, await f.a.as(f.a.admin, { url: `/request/${String(r2.id)}` })).status, 'rejected')
  t.equal((await f.a.as(boss, { url: '/_workflows/pending' })).json().meta.total, 0)
  const monitor = await f.a.as(f.a.admin, { url: '/_workflows?status=completed' })
  t.equal(monitor.json().meta.total, 2, 'the admin monitor lists instances by status')
  expectError(t, await f.a.as(boss, { url: '/_workflows' }), 403, 'FORBIDDEN')
})

t.test('the scheduler: approval timeout, due wait, restart recovery, lease respected', async (t) => {
  const f = await setup(t)
  const { sql } = f.ctx
  await adminCreate(f.a, 'workflows', approvalWorkflow('review'))
  const waitFirst = approvalWorkflow('waiting', { trigger: { type: 'state_change', entity: 'request', field: 'note', to: 'wait' } })
  await adminCreate(f.a, 'workflows', { ...waitFirst, steps: [{ id: 'pause', type: 'wait', duration: '1s', then: { goto: 'approve_it' } }, ...(waitFirst.steps as Json[]).slice(2)] })

  const r = await createRequest(t, f, { title: 'slow boss', status: 'pending', amount: 500 })
  await f.runtime.tick([f.ctx])
  t.match(await onlyInstance(t, f, 'review'), { status: 'running', waiting_for: 'approval' }, 'not due yet: untouched')
  await sql`UPDATE _workflow_instances SET current_step_deadline = now() - interval '1 second' WHERE workflow_name = 'review'`
  await f.runtime.tick([f.ctx])
  const timedOut = await onlyInstance(t, f, 'review')
  t.match(timedOut, { status: 'completed' })
  t.same(trail(timedOut).slice(-2), ['review:timed_out', 'reject_it:completed'])
  t.equal(dataOf(t, await f.a.as(f.a.admin, { url: `/request/${String(r.id)}` })).status, 'rejected', 'on_timeout path ran')

  const w = await createRequest(t, f, { title: 'waits', status: 'pending', amount: 5000, note: 'wait' })
  const waiting = await onlyInstance(t, f, 'waiting')
  t.match(waiting, { status: 'running', waiting_for: 'wait', current_step: 'pause' })
  await sql`UPDATE _workflow_instances SET current_step_deadline = now() - interval '1 second' WHERE workflow_name = 'waiting'`
  await f.runtime.tick([f.ctx])
  t.same(trail(await onlyInstance(t, f, 'waiting')).slice(-2), ['pause:completed', 'approve_it:completed'])
  t.equal(dataOf(t, await f.a.as(f.a.admin, { url: `/request/${String(w.id)}` })).status, 'approved')

  // An instance left `running` by a process that died: resumed once its lease expired, not before.
  const crashed = await createRequest(t, f, { title: 'crashed', status: 'pending', amount: 9000 })
  const id = String((await instancesOf(f, 'review')).at(-1)?.id)
  await sql`UPDATE _workflow_instances SET status = 'running', waiting_for = NULL, current_step = 'approve_it', assignee = NULL, current_step_deadline = NULL,
    lease_id = ${randomUUID()}, locked_until = now() + interval '1 minute' WHERE id = ${id}`
  await f.runtime.tick([f.ctx])
  t.equal(dataOf(t, await f.a.as(f.a.admin, { url: `/_workflows/${id}` })).status, 'running', 'a live lease is respected')
  await sql`UPDATE _workflow_instances SET locked_until = now() - interval '1 second' WHERE id = ${id}`
  await f.runtime.tick([f.ctx])
  t.match(dataOf(t, await f.a.as(f.a.admin, { url: `/_workflows/${id}` })), { status: 'completed' })
  t.equal(dataOf(t, await f.a.as(f.a.admin, { url: `/request/${String(crashed.id)}` })).status, 'approved', 'the interrupted step ran once resumed')
  t.equal((await f.ctx.sql`SELECT 1 FROM _audit_log WHERE record_id = ${String(crashed.id)} AND action = 'update'`).length, 1, 'and once only')
})

t.test('step failures fail the instance, never the triggering request', async (t) => {
  const f = await setup(t)
  const wf = approvalWorkflow('too_much')
  await adminCreate(f.a, 'workflows', { ...wf, steps: [{ id: 'bump', type: 'action', actions: [{ type: 'set_field', record_id: 'context.id', field: 'note', value: 'bumped' }, { type: 'set_field', record_id: 'context.id', field: 'amount', value: 20000 }] }] })
  const guarded = approvalWorkflow('archive', { trigger: { type: 'state_change', entity: 'request', field: 'note', to: 'archive' } })
  await adminCreate(f.a, 'workflows', { ...guarded, steps: [{ id: 'go', type: 'action', actions: [{ type: 'set_field', record_id: 'context.id', field: 'status', value: 'archived' }] }] })

  const r = await createRequest(t, f, { title: 'rule breaker', status: 'pending', amount: 1 })
  const failed = await onlyInstance(t, f, 'too_much')
  t.match(failed, { status: 'failed', current_step: 'bump' })
  t.match((failed.history as Json[]).at(-1), { step: 'bump', status: 'failed', detail: { code: 'VALIDATION_FAILED', details: [{ field: 'amount' }] } })
  const after = dataOf(t, await f.a.as(f.a.admin, { url: `/request/${String(r.id)}` }))
  t.equal(after.note, null, 'the failed step left nothing behind (one transaction)')

  // Off the transition table is allowed for a workflow, but a matching transition's guard still applies.
  await f.ctx.sql`UPDATE requests SET status = 'approved' WHERE id = ${String(r.id)}`
  dataOf(t, await f.a.as(f.a.admin, { method: 'PUT', url: `/request/${String(r.id)}`, payload: { note: 'archive' } }))
  t.match(((await onlyInstance(t, f, 'archive')).history as Json[]).at(-1), { status: 'failed', detail: { details: [{ rule: 'guard' }] } })
})

t.test('webhook and send_event actions go through the webhook outbox and the event handlers', async (t) => {
  const f = await setup(t)
  const { startReceiver, eventually } = await import('./webhooks-receiver.js')
  const events: Json[] = []
  t.teardown(workflowActions.takeOver('send_event', (e) => { events.push(e) }))
  const rx = await startReceiver()
  t.teardown(rx.close)
  const wf = approvalWorkflow('notify')
  await adminCreate(f.a, 'workflows', { ...wf, steps: [{ id: 'tell', type: 'action', actions: [{ type: 'webhook', url: `${rx.url}/hook`, headers: { 'X-Src': 'wf' } }, { type: 'send_event', event: 'request.submitted' }] }] })
  await createRequest(t, f, { title: 'ping', status: 'pending', amount: 3 })
  const [got] = await rx.waitFor('/hook', 1)
  t.equal(got?.headers['x-src'], 'wf')
  t.match(JSON.parse(got?.body ?? '{}'), { event: 'workflow.notify.tell', hook: 'workflow', entity: 'request', workflow: { name: 'notify', step: 'tell' }, context: { title: 'ping' } })
  const log = await eventually(async () => (await f.ctx.sql<Row[]>`SELECT * FROM _webhook_logs WHERE hook = 'workflow' AND status = 'delivered'`)[0])
  t.match(log, { entity: 'request', attempt: 1 })
  t.match(events, [{ type: 'send_event', action: { event: 'request.submitted', workflow: { name: 'notify' } }, entity: 'request' }])
})

t.test('a trigger cycle between workflows stops after a bounded chain', async (t) => {
  const f = await setup(t)
  const ping = (name: string, from: string, to: string): Row => ({
    name,
    trigger: { type: 'state_change', entity: 'request', field: 'note', to: from },
    context: { id: 'record.id' },
    steps: [{ id: 'flip', type: 'action', actions: [{ type: 'set_field', record_id: 'context.id', field: 'note', value: to }] }]
  })
  await adminCreate(f.a, 'workflows', ping('ping', 'a', 'b'))
  await adminCreate(f.a, 'workflows', ping('pong', 'b', 'a'))
  const r = await createRequest(t, f, { title: 'loop', note: 'a' })
  const all = [...await instancesOf(f, 'ping'), ...await instancesOf(f, 'pong')]
  t.equal(all.length, f.runtime.settings.maxChain + 1, 'one instance per level, then no more')
  t.ok(all.every((i) => i.status === 'completed'))
  t.same([...new Set(all.map((i) => i.chain))].length, all.length, 'each level counted')
  t.ok(['a', 'b'].includes(String(dataOf(t, await f.a.as(f.a.admin, { url: `/request/${String(r.id)}` })).note)))
})

t.test('an approval assigned to one user: only that user (or an admin) decides', async (t) => {
  const f = await setup(t)
  const alice = await userToken(f.app, f.a, 'alice@x.test', ['boss'])
  const bob = await userToken(f.app, f.a, 'bob@x.test', ['boss'])
  const [aliceId] = (await f.ctx.sql<Row[]>`SELECT id FROM _users WHERE email = 'alice@x.test'`).map((u) => String(u.id))
  const wf = approvalWorkflow('personal')
  await adminCreate(f.a, 'workflows', { ...wf, steps: (wf.steps as Json[]).map((s) => (s.id === 'review' ? { ...s, assignee: { type: 'user', user_id: aliceId }, timeout: undefined, on_timeout: undefined } : s)) })
  await createRequest(t, f, { title: 'for alice', status: 'pending', amount: 900 })
  const inst = await onlyInstance(t, f, 'personal')
  t.match(inst, { status: 'running', waiting_for: 'approval', current_step_deadline: null, assignee: { type: 'user', user_id: aliceId } })
  t.equal((await f.a.as(bob, { url: '/_workflows/pending' })).json().meta.total, 0, 'the role alone does not make bob an assignee')
  t.equal((await f.a.as(alice, { url: '/_workflows/pending' })).json().meta.total, 1)
  expectError(t, await f.a.as(bob, { method: 'POST', url: `/_workflows/${String(inst.id)}/approve` }), 403, 'FORBIDDEN')
  t.match(dataOf(t, await f.a.as(alice, { method: 'POST', url: `/_workflows/${String(inst.id)}/approve` })), { status: 'completed' })
})
