import t, { type Test as Tap } from 'tap'
import { build, createTestApp, type TestApp } from '../helper.js'
import { loadExample } from '../fixtures/examples.js'

interface Example {
  entities: Array<{ name: string }>
  relations: Array<{ name: string, type: string, source: string, target: string, target_key?: string, source_join_key?: string, target_join_key?: string }>
  sample_data: Record<string, Array<Record<string, unknown>>>
}

const load = (file: string): Example => loadExample<Example>(file)

/** Creates the example's entities and relations through the admin API and loads its sample data. */
async function install (t: Tap, a: TestApp, ex: Example): Promise<void> {
  for (const e of ex.entities) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: e })
    t.equal(res.statusCode, 201, `entity ${e.name}: ${res.body.slice(0, 300)}`)
  }
  for (const r of ex.relations) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: r })
    t.equal(res.statusCode, 201, `relation ${r.name}: ${res.body.slice(0, 300)}`)
  }
  for (const [key, rows] of Object.entries(ex.sample_data)) {
    const m2m = ex.relations.find((r) => r.type === 'many_to_many' && r.name === key)
    if (m2m !== undefined) {
      for (const row of rows) {
        const res = await a.as(a.admin, {
          method: 'PUT',
          url: `/${m2m.source}/${String(row[m2m.source_join_key ?? ''])}`,
          payload: { [m2m.name]: { _write_mode: 'append', data: [{ id: row[m2m.target_join_key ?? ''] }] } }
        })
        t.equal(res.statusCode, 200, `join row ${key}: ${res.body.slice(0, 300)}`)
      }
      continue
    }
    for (const row of rows) {
      const res = await a.as(a.admin, { method: 'POST', url: `/${key}`, payload: row })
      t.equal(res.statusCode, 201, `${key} ${String(row.id)}: ${res.body.slice(0, 300)}`)
    }
  }
}

/** Every one_to_many / many_to_many relation includes from the source side as many rows as the sample data links. */
async function checkIncludes (t: Tap, a: TestApp, ex: Example): Promise<void> {
  for (const r of ex.relations) {
    const res = await a.as(a.admin, { url: `/${r.source}?include=${r.name}&per_page=100` })
    t.equal(res.statusCode, 200, `include ${r.name}`)
    const included = (res.json().data as Array<Record<string, unknown[]>>).reduce((n, row) => n + (row[r.name]?.length ?? 0), 0)
    const expected = r.type === 'many_to_many'
      ? (ex.sample_data[r.name] ?? []).length
      : (ex.sample_data[r.target] ?? []).filter((row) => row[r.target_key ?? ''] != null).length
    t.equal(included, expected, `${r.name} includes every linked sample row`)
    const inverse = await a.as(a.admin, { url: `/${r.target}?include=${r.name}&per_page=5` })
    t.equal(inverse.statusCode, 200, `inverse include ${r.name} from ${r.target}`)
  }
}

/** A fresh app (named after `prefix`) with the example installed and its includes checked. */
async function installedExample (t: Tap, prefix: string, file: string): Promise<{ a: TestApp, ex: Example }> {
  const a = await createTestApp(await build(t), prefix)
  const ex = load(file)
  await install(t, a, ex)
  await checkIncludes(t, a, ex)
  return { a, ex }
}

t.test('helpdesk example: schema, sample data, CRUD with includes and a nested write', async (t) => {
  const { a, ex } = await installedExample(t, 'helpdesk', 'helpdesk-ticketing.json')
  const customer = ex.sample_data.customer?.[0]?.id
  const agent = ex.sample_data.agent?.[0]?.id
  const created = await a.as(a.admin, {
    method: 'POST',
    url: '/ticket',
    payload: { title: 'Printer on fire', description: 'Smoke everywhere', customer_id: customer, ticket_responses: [{ author_type: 'agent', author_id: agent, body: 'On it' }] }
  })
  t.equal(created.statusCode, 201, created.body)
  const ticket = created.json().data
  t.equal(ticket.status, 'open')
  t.equal(ticket.priority, 'medium')
  t.equal(ticket.ticket_responses.length, 1)
  t.equal(ticket.ticket_responses[0].ticket_id, ticket.id, 'FK propagated')
  const got = await a.as(a.admin, { url: `/ticket/${String(ticket.id)}?include=ticket_customer,ticket_responses` })
  t.equal(got.json().data.ticket_customer.id, customer, 'inverse relation resolves to the single source record')
  const upd = await a.as(a.admin, { method: 'PUT', url: `/ticket/${String(ticket.id)}`, payload: { priority: 'high', ticket_responses: { _write_mode: 'append', data: [{ author_type: 'customer', author_id: customer, body: 'Thanks' }] } } })
  t.equal(upd.json().data.ticket_responses.length, 2)
  const del = await a.as(a.admin, { method: 'DELETE', url: `/ticket/${String(ticket.id)}` })
  t.equal(del.statusCode, 200)
  const after = await a.as(a.admin, { url: '/ticket?per_page=100' })
  t.equal(after.json().meta.total, ex.sample_data.ticket?.length, 'soft-deleted ticket is gone from lists')
})

t.test('content example: many-to-many tags, slugs, nested comments', async (t) => {
  const { a, ex } = await installedExample(t, 'cms', 'content-management.json')
  const bySlug = await a.as(a.admin, { url: '/category/frontend' })
  t.equal(bySlug.json().data.name, 'Frontend', 'get by slug')
  const post = await a.as(a.admin, {
    method: 'POST',
    url: '/post',
    payload: {
      title: 'Hello World Again',
      body: 'Body',
      author_id: ex.sample_data.author?.[0]?.id,
      post_tags: [{ id: ex.sample_data.tag?.[0]?.id }, { id: ex.sample_data.tag?.[1]?.id }],
      post_comments: [{ author_name: 'Ann', author_email: 'ann@x.test', body: 'Nice post' }]
    }
  })
  t.equal(post.statusCode, 201, post.body)
  t.equal(post.json().data.slug, 'hello-world-again')
  t.equal(post.json().data.post_tags.length, 2)
  t.equal(post.json().data.post_comments.length, 1)
  const tag = await a.as(a.admin, { url: `/tag/${String(ex.sample_data.tag?.[0]?.id)}?include=post_tags` })
  t.ok(tag.json().data.post_tags.some((p: { title: string }) => p.title === 'Hello World Again'), 'm2m inverse include')
})

t.test('employee example: self relation, dates, nested leave requests', async (t) => {
  const { a, ex } = await installedExample(t, 'hr', 'employee-management.json')
  const boss = ex.sample_data.employee?.[0]?.id
  const reports = await a.as(a.admin, { url: `/employee/${String(boss)}?include=employee_manager` })
  t.ok(reports.json().data.employee_manager.length >= 1, 'self relation lists reports')
  const created = await a.as(a.admin, {
    method: 'POST',
    url: '/employee',
    payload: {
      first_name: 'New',
      last_name: 'Hire',
      email: 'new.hire@company.com',
      title: 'Engineer',
      department_id: ex.sample_data.department?.[0]?.id,
      hire_date: '2026-01-05',
      employee_leave_requests: [{ type: 'annual', start_date: '2026-03-01', end_date: '2026-03-02', days: 2 }]
    }
  })
  t.equal(created.statusCode, 201, created.body)
  t.equal(created.json().data.hire_date, '2026-01-05', 'dates round-trip as YYYY-MM-DD')
  const filtered = await a.as(a.admin, { url: '/leave_request?filter[start_date.gte]=2026-03-01&filter[type.in]=annual,sick&sort=-start_date' })
  t.equal(filtered.statusCode, 200)
  t.ok(filtered.json().data.every((r: { start_date: string }) => r.start_date >= '2026-03-01'))
})
