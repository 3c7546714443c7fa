import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { adminCreate, dataOf, defineSchema, detailsOf, userToken, type Row } from './business-fixtures.js'
import { loadExample } from '../fixtures/examples.js'

interface Example {
  entities: Row[]
  relations: Array<Row & { name: string, type: string, source: string, source_join_key?: string, target_join_key?: string }>
  rules: Row[]
  state_machines: Row[]
  permissions: Row[]
  sample_data: Record<string, Row[]>
}

const load = (file: string): Example => loadExample<Example>(file)

/**
 * Imports an example the way an import endpoint would have to: schema, then the sample data
 * (historical rows, e.g. tickets already `in_progress`, which no state machine would let a
 * client create), then rules, state machines and permissions, all through the admin API.
 */
async function install (t: Test, app: FastifyInstance, file: string): Promise<TestApp> {
  const ex = load(file)
  const a = await createTestApp(app, 'ex')
  await defineSchema(t, a, ex)
  for (const [key, rows] of Object.entries(ex.sample_data)) {
    const m2m = ex.relations.find((r) => r.type === 'many_to_many' && r.name === key)
    for (const row of rows) {
      const res = m2m === undefined
        ? await a.as(a.admin, { method: 'POST', url: `/${key}`, payload: row })
        : await a.as(a.admin, {
          method: 'PUT',
          url: `/${m2m.source}/${String(row[m2m.source_join_key ?? ''])}`,
          payload: { [m2m.name]: { _write_mode: 'append', data: [{ id: row[m2m.target_join_key ?? ''] }] } }
        })
      if (res.statusCode >= 300) t.fail(`sample ${key}: ${res.body.slice(0, 300)}`)
    }
  }
  for (const r of ex.rules) await adminCreate(a, 'rules', r)
  for (const m of ex.state_machines) await adminCreate(a, 'state-machines', m)
  for (const p of ex.permissions) await adminCreate(a, 'permissions', p)
  t.equal((dataOf(t, await a.as(a.admin, { url: '/_admin/rules' })) as unknown as Row[]).length, ex.rules.length, `${file}: every rule imported`)
  t.equal((dataOf(t, await a.as(a.admin, { url: '/_admin/state-machines' })) as unknown as Row[]).length, ex.state_machines.length, `${file}: every state machine imported`)
  return a
}

t.test('helpdesk: title min_length, ticket status machine, set_field on resolve', async (t) => {
  const app = await build(t)
  const a = await install(t, app, 'helpdesk-ticketing.json')
  const customer = '10000000-0000-0000-0000-000000000001'
  const short = await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'Help', description: 'd', customer_id: customer } })
  expectError(t, short, 422, 'VALIDATION_FAILED')
  t.match(detailsOf(short), [{ field: 'title', rule: 'min_length', message: 'Title must be at least 5 characters' }])
  const tk = dataOf(t, await a.as(a.admin, { method: 'POST', url: '/ticket', payload: { title: 'Printer on fire', description: 'smoke', customer_id: customer } }), 201)
  t.equal(tk.status, 'open')
  const skip = await a.as(a.admin, { method: 'PUT', url: `/ticket/${String(tk.id)}`, payload: { status: 'resolved' } })
  expectError(t, skip, 422, 'VALIDATION_FAILED')
  t.match(skip.json().error.message, /from 'open' to 'resolved'/)
  t.equal(dataOf(t, await a.as(a.admin, { method: 'PUT', url: `/ticket/${String(tk.id)}`, payload: { status: 'assigned' } })).status, 'assigned')
  const agent = await userToken(app, a, 'agent@helpdesk.test', ['agent'])
  for (const status of ['in_progress', 'resolved']) {
    const res = dataOf(t, await a.as(agent, { method: 'PUT', url: `/ticket/${String(tk.id)}`, payload: { status } }))
    t.equal(res.status, status, `agent moves the ticket to ${status}`)
  }
  const resolved = dataOf(t, await a.as(agent, { url: `/ticket/${String(tk.id)}` }))
  t.ok(resolved.resolved_at, 'set_field resolved_at = now')
  const customerUser = await userToken(app, a, 'customer@helpdesk.test', ['customer'])
  expectError(t, await a.as(customerUser, { method: 'PUT', url: `/ticket/${String(tk.id)}`, payload: { status: 'closed' } }), 403, 'FORBIDDEN')
  const empty = await a.as(agent, { method: 'POST', url: '/response', payload: { ticket_id: tk.id, author_type: 'agent', author_id: '20000000-0000-0000-0000-000000000001', body: '' } })
  expectError(t, empty, 422, 'VALIDATION_FAILED')
  // body is `required`, which refuses "" before any field rule runs (docs/VALIDATION.md); the example's min_length rule is the second line of defence.
  t.match(detailsOf(empty), [{ field: 'body', rule: 'required' }])
})

t.test('content: slug pattern; review → published needs the editor role', async (t) => {
  const app = await build(t)
  const a = await install(t, app, 'content-management.json')
  const author = await userToken(app, a, 'author@blog.test', ['author'])
  const base = { body: 'Text', author_id: '10000000-0000-0000-0000-000000000001' }
  const editor = await userToken(app, a, 'editor@blog.test', ['editor'])
  const badSlug = await a.as(author, { method: 'POST', url: '/post', payload: { ...base, title: 'Hello', slug: 'Hello World' } })
  expectError(t, badSlug, 422, 'VALIDATION_FAILED')
  t.match(detailsOf(badSlug), [{ field: 'slug', rule: 'pattern' }])
  const post = dataOf(t, await a.as(author, { method: 'POST', url: '/post', payload: { ...base, title: 'Hello rules', slug: 'hello-rules' } }), 201)
  t.equal(post.status, 'draft')
  t.equal(dataOf(t, await a.as(author, { method: 'PUT', url: `/post/${String(post.id)}`, payload: { status: 'review' } })).status, 'review')
  const denied = await a.as(author, { method: 'PUT', url: `/post/${String(post.id)}`, payload: { status: 'published' } })
  expectError(t, denied, 403, 'FORBIDDEN')
  t.match(denied.json().error.message, /requires one of the roles: editor, admin/)
  const published = dataOf(t, await a.as(editor, { method: 'PUT', url: `/post/${String(post.id)}`, payload: { status: 'published' } }))
  t.equal(published.status, 'published')
  t.ok(published.published_at, 'set_field published_at = now')
  expectError(t, await a.as(editor, { method: 'PUT', url: `/post/${String(post.id)}`, payload: { status: 'draft' } }), 422, 'VALIDATION_FAILED')
})

t.test('employee: field rules and roles; the date rule keeps the documented semantics (true = violated)', async (t) => {
  const app = await build(t)
  const a = await install(t, app, 'employee-management.json')
  const employee = '20000000-0000-0000-0000-000000000002'
  const leave = (extra: Row): Row => ({ employee_id: employee, type: 'annual', start_date: '2026-06-01', end_date: '2026-06-03', days: 3, ...extra })
  const tooLong = await a.as(a.admin, { method: 'POST', url: '/leave_request', payload: leave({ days: 31 }) })
  expectError(t, tooLong, 422, 'VALIDATION_FAILED')
  t.match(detailsOf(tooLong), [{ field: 'days', rule: 'max', message: 'Leave cannot exceed 30 days' }])
  const badEmail = await a.as(a.admin, { method: 'POST', url: '/employee', payload: { first_name: 'A', last_name: 'B', email: 'not-an-email', title: 'Dev', department_id: '10000000-0000-0000-0000-000000000001', hire_date: '2026-01-05' } })
  expectError(t, badEmail, 422, 'VALIDATION_FAILED')
  t.match(detailsOf(badEmail), [{ field: 'email', rule: 'pattern', message: 'Invalid email format' }])
  // The example writes this rule as "true when valid" (end >= start): under docs/reference.md, "Rules", where an
  // expression rule is true when VIOLATED, it refuses every well-ordered leave request and lets
  // reversed dates through. Pinned here so a decision to change either side shows up as a diff.
  const ordered = await a.as(a.admin, { method: 'POST', url: '/leave_request', payload: leave({}) })
  expectError(t, ordered, 422, 'VALIDATION_FAILED')
  t.equal(ordered.json().error.message, 'End date must be on or after start date')
  const reversed = dataOf(t, await a.as(a.admin, { method: 'POST', url: '/leave_request', payload: leave({ start_date: '2026-06-03', end_date: '2026-06-01' }) }), 201)
  t.equal(reversed.status, 'pending')
  const manager = await userToken(app, a, 'manager@company.test', ['manager'])
  const hr = await userToken(app, a, 'hr@company.test', ['hr'])
  // Also under that rule: no well-ordered request can move through its approval states.
  const pending = '30000000-0000-0000-0000-000000000002'
  const approve = await a.as(manager, { method: 'PUT', url: `/leave_request/${pending}`, payload: { status: 'manager_approved' } })
  expectError(t, approve, 422, 'VALIDATION_FAILED')
  t.equal(approve.json().error.message, 'End date must be on or after start date')
  expectError(t, await a.as(hr, { method: 'PUT', url: `/employee/${employee}`, payload: { status: 'retired' } }), 422, 'VALIDATION_FAILED')
  t.equal(dataOf(t, await a.as(hr, { method: 'PUT', url: `/employee/${employee}`, payload: { status: 'terminated' } })).status, 'terminated')
  await adminCreate(a, 'permissions', { entity: 'employee', action: 'update', roles: ['manager'] })
  const rehire = await a.as(manager, { method: 'PUT', url: `/employee/${employee}`, payload: { status: 'active' } })
  expectError(t, rehire, 403, 'FORBIDDEN')
  t.match(rehire.json().error.message, /from 'terminated' to 'active' requires one of the roles: hr/)
  t.equal(dataOf(t, await a.as(hr, { method: 'PUT', url: `/employee/${employee}`, payload: { status: 'active' } })).status, 'active')
})
