import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { hiddenOf, keys, make, policy, schema, userToken, type Row } from './field-permissions-fixtures.js'

/** Field-level read permissions on every read path (docs/security.md, "Field permissions"). */

interface World {
  a: TestApp
  c1: Row
  c2: Row
  e1: Row
  e2: Row
  e3: Row
  viewer: string
  nofk: string
  alice: { id: string, token: string }
  bob: { id: string, token: string }
  both: string
}

async function world (t: Parameters<typeof schema>[0]): Promise<World> {
  const app = await build(t)
  const a = await createTestApp(app)
  await schema(t, a)
  const alice = await userToken(a, 'alice@example.test', ['staff'])
  const bob = await userToken(a, 'bob@example.test', ['staff'])
  const viewer = (await userToken(a, 'viewer@example.test', ['viewer'])).token
  const nofk = (await userToken(a, 'nofk@example.test', ['nofk'])).token
  const both = (await userToken(a, 'both@example.test', ['names', 'depts'])).token
  const c1 = await make(a, 'customer', { name: 'Acme', tier: 'gold', credit: 10 })
  const c2 = await make(a, 'customer', { name: 'Bolt', tier: 'tin', credit: 1 })
  const e1 = await make(a, 'employee', { name: 'Ann', dept: 'ops', salary: 100, ssn: 'ssn-1', bio: 'likes rockets', owner_id: alice.id, customer_id: c1.id, reviews: [{ score: 5, comment: 'great' }] })
  const e2 = await make(a, 'employee', { name: 'Ben', dept: 'dev', salary: 200, ssn: 'ssn-2', bio: 'writes code', owner_id: bob.id, customer_id: c1.id })
  const e3 = await make(a, 'employee', { name: 'Cat', dept: 'dev', salary: 300, ssn: 'ssn-3', bio: 'designs', customer_id: c2.id })
  // viewer: one field set on every row (`fixed`).
  await policy(a, { entity: 'employee', action: 'read', roles: ['viewer'], fields: ['name', 'dept', 'customer_id'] })
  await policy(a, { entity: 'customer', action: 'read', roles: ['viewer'], fields: ['name'] })
  await policy(a, { entity: 'review', action: 'read', roles: ['viewer'] })
  // nofk: the key to the customer is hidden.
  await policy(a, { entity: 'employee', action: 'read', roles: ['nofk'], fields: ['name'] })
  await policy(a, { entity: 'customer', action: 'read', roles: ['nofk'] })
  // staff: names and depts of everyone, everything of their own rows (fields depend on the row).
  await policy(a, { entity: 'employee', action: 'read', roles: ['staff'], fields: ['name', 'dept', 'customer_id'] })
  await policy(a, { entity: 'employee', action: 'read', roles: ['staff'], conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }] })
  await policy(a, { entity: 'customer', action: 'read', roles: ['staff'] })
  // names + depts: two policies of two roles union their fields.
  await policy(a, { entity: 'employee', action: 'read', roles: ['names'], fields: ['name'] })
  await policy(a, { entity: 'employee', action: 'read', roles: ['depts'], fields: ['dept'] })
  return { a, c1, c2, e1, e2, e3, viewer, nofk, alice, bob, both }
}

t.test('policy fields: validated, stored, cleared, exported', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await schema(t, a)
  const bad = await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: { entity: 'employee', action: 'read', roles: ['x'], fields: ['name', 'salray'] } })
  const err = expectError(t, bad, 422, 'VALIDATION_FAILED')
  t.same(hiddenOf(bad), [['fields[1]', 'exists']])
  t.match((err.details?.[0] as Row).message, /did you mean 'salary'/)
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: { entity: 'employee', action: 'read', roles: ['x'], fields: 'name' } }), 422, 'VALIDATION_FAILED')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: { entity: 'employee', action: 'read', roles: ['x'], fields: [1] } }), 422, 'VALIDATION_FAILED')
  const onDelete = await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: { entity: 'employee', action: 'delete', roles: ['x'], fields: ['name'] } })
  expectError(t, onDelete, 422, 'VALIDATION_FAILED')
  t.same(hiddenOf(onDelete), [['fields', 'action']])
  const typo = await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: { entity: 'employee', action: 'read', roles: ['x'], feilds: ['name'] } })
  expectError(t, typo, 422, 'VALIDATION_FAILED')
  t.match(typo.json().error.details[0].message, /did you mean 'fields'/)
  t.same((await a.as(a.admin, { url: '/_admin/permissions' })).json().data, [], 'nothing stored by refused requests')

  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: { entity: 'employee', action: 'read', roles: ['x'], fields: ['name', 'dept', 'name'] } })
  t.equal(created.statusCode, 201, created.body)
  t.same(created.json().data.fields, ['name', 'dept'], 'duplicates collapse')
  const id = String(created.json().data.id)
  const plain = await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: { entity: 'employee', action: 'update', roles: ['x'] } })
  t.equal(plain.json().data.fields, null, 'no fields: every field')
  const put = await a.as(a.admin, { method: 'PUT', url: `/_admin/permissions/${id}`, payload: { roles: ['y'] } })
  t.same(put.json().data.fields, ['name', 'dept'], 'PUT keeps fields it does not name')
  const exported = await a.as(a.admin, { url: '/_admin/export' })
  t.same(exported.json().data.permissions.map((p: Row) => p.fields), [['name', 'dept'], undefined], 'export carries fields when set')
  const again = await a.as(a.admin, { method: 'POST', url: '/_admin/import', payload: exported.json().data })
  t.equal(again.statusCode, 200, again.body)
  t.equal((await a.as(a.admin, { url: '/_admin/permissions' })).json().data.length, 2, 're-importing the export adds no policy')
  const cleared = await a.as(a.admin, { method: 'PUT', url: `/_admin/permissions/${id}`, payload: { fields: null } })
  t.equal(cleared.json().data.fields, null, 'fields: null grants every field again')
})

t.test('one field set for every row: records, lists, includes, selections', async (t) => {
  const w = await world(t)
  const { a, viewer } = w
  const list = await a.as(viewer, { url: '/employee?sort=name' })
  t.equal(list.statusCode, 200, list.body)
  t.same(list.json().data.map(keys), Array(3).fill(['customer_id', 'dept', 'id', 'name']), 'list: granted fields and the PK only')
  t.notMatch(list.body, /salary|ssn|rockets/)
  const one = await a.as(viewer, { url: `/employee/${String(w.e1.id)}` })
  t.same(keys(one.json().data), ['customer_id', 'dept', 'id', 'name'], 'get by id')
  t.ok(typeof one.headers.etag === 'string')
  t.equal((await a.as(viewer, { url: `/employee/${String(w.e1.id)}`, headers: { 'if-none-match': String(one.headers.etag) } })).statusCode, 304)
  const sel = await a.as(viewer, { url: '/employee?fields=name&sort=name' })
  t.same(sel.json().data.map(keys), Array(3).fill(['id', 'name']), 'fields= within the grant')

  const inc = await a.as(viewer, { url: `/employee/${String(w.e1.id)}?include=customer,reviews` })
  t.same(keys(inc.json().data.customer), ['id', 'name'], 'an included row shows its own entity\'s granted fields')
  t.same(inc.json().data.reviews.map(keys), [['comment', 'employee_id', 'id', 'score']], 'an entity without field rules is whole')
  const nested = await a.as(viewer, { url: `/customer/${String(w.c1.id)}?include=employees.reviews&fields[employees]=name` })
  t.equal(nested.statusCode, 200, nested.body)
  t.same(keys(nested.json().data), ['employees', 'id', 'name'])
  t.same(nested.json().data.employees.map(keys), [['id', 'name', 'reviews'], ['id', 'name', 'reviews']])
  const fromCustomers = await a.as(viewer, { url: '/customer?include=employees&sort=name' })
  t.same(fromCustomers.json().data[0].employees.map(keys), [['customer_id', 'dept', 'id', 'name'], ['customer_id', 'dept', 'id', 'name']], 'includes of a list')
  t.notMatch(fromCustomers.body, /gold|salary/)

  const cursor = await a.as(viewer, { url: '/employee?paginate=cursor&per_page=2&sort=name' })
  t.same(cursor.json().data.map(keys), [['customer_id', 'dept', 'id', 'name'], ['customer_id', 'dept', 'id', 'name']])
  const next = await a.as(viewer, { url: `/employee?cursor=${encodeURIComponent(String(cursor.json().meta.next_cursor))}&per_page=2&sort=name` })
  t.same(next.json().data.map((r: Row) => r.name), ['Cat'], 'cursor pages over a visible sort')
  t.same((await a.as(viewer, { url: '/employee?count=none&sort=name' })).json().data.map(keys)[0], ['customer_id', 'dept', 'id', 'name'], 'count=none path')
  t.same((await a.as(w.both, { url: '/employee?sort=name' })).json().data.map(keys)[0], ['dept', 'id', 'name'], 'policies of several roles union their fields')
  t.same(keys((await a.as(a.admin, { url: `/employee/${String(w.e1.id)}` })).json().data).length, 9, 'admin sees every field')
})

t.test('hidden fields cannot be filtered, sorted, searched, selected or walked: 403 naming them', async (t) => {
  const w = await world(t)
  const { a, viewer } = w
  const cases: Array<[string, Array<[string, string]>]> = [
    ['/employee?filter[salary.gt]=150', [['salary', 'field_permission']]],
    ['/employee?filter[or][0][salary]=100&filter[or][1][name]=Ann', [['salary', 'field_permission']]],
    ['/employee?filter[not][ssn]=ssn-1', [['ssn', 'field_permission']]],
    ['/employee?sort=-salary', [['salary', 'field_permission']]],
    ['/employee?paginate=cursor&sort=salary', [['salary', 'field_permission']]],
    ['/employee?search=rockets', [['bio', 'field_permission']]],
    ['/employee?fields=name,salary,ssn', [['salary', 'field_permission'], ['ssn', 'field_permission']]],
    ['/employee?include=customer&fields[customer]=name,credit', [['customer.credit', 'field_permission']]],
    ['/employee?filter[customer.credit.gt]=5', [['customer.credit', 'field_permission']]],
    ['/customer?filter[employees.salary.gt]=150', [['employees.salary', 'field_permission']]],
    ['/customer?filter[tier]=gold', [['tier', 'field_permission']]],
    ['/employee/_aggregate?group_by=dept&sum=salary', [['salary', 'field_permission']]],
    ['/employee/_aggregate?group_by=ssn', [['ssn', 'field_permission']]],
    ['/employee/_aggregate?max=salary&min=ssn', [['salary', 'field_permission'], ['ssn', 'field_permission']]],
    ['/employee/_aggregate?count=*&filter[salary.gt]=1', [['salary', 'field_permission']]],
    ['/employee/_aggregate?count=*&search=rockets', [['bio', 'field_permission']]]
  ]
  for (const [url, details] of cases) {
    const res = await a.as(viewer, { url })
    expectError(t, res, 403, 'FORBIDDEN')
    t.same(hiddenOf(res), details, url)
    t.notMatch(res.body, /ssn-|rockets|gold/, 'the refusal shows no value')
  }
  expectError(t, await a.as(viewer, { url: `/employee/${String(w.e1.id)}?fields=salary` }), 403, 'FORBIDDEN')
  expectError(t, await a.as(viewer, { url: '/employee?filter[salery]=1' }), 400, 'UNKNOWN_FIELD')
  // Visible fields keep working, relation filters through visible fields too.
  t.same((await a.as(viewer, { url: '/employee?filter[dept]=dev&sort=name' })).json().data.map((r: Row) => r.name), ['Ben', 'Cat'])
  t.same((await a.as(viewer, { url: '/employee?filter[customer.name]=Acme&sort=name' })).json().data.map((r: Row) => r.name), ['Ann', 'Ben'])
  const agg = await a.as(viewer, { url: '/employee/_aggregate?group_by=dept&count=*&sort=dept' })
  t.equal(agg.statusCode, 200, agg.body)
  t.same(agg.json().data, [{ dept: 'dev', count: 2 }, { dept: 'ops', count: 1 }])
  // The key to a related row is a field too: hidden, the relation cannot be included or walked.
  const fk = await a.as(w.nofk, { url: '/employee?include=customer' })
  expectError(t, fk, 403, 'FORBIDDEN')
  t.same(hiddenOf(fk), [['customer_id', 'field_permission']])
  expectError(t, await a.as(w.nofk, { url: '/employee?filter[customer.name]=Acme' }), 403, 'FORBIDDEN')
  t.same((await a.as(w.nofk, { url: '/employee?sort=name' })).json().data.map(keys)[0], ['id', 'name'])
})

t.test('fields that depend on the row: per row, the union of the matching policies', async (t) => {
  const w = await world(t)
  const { a, alice } = w
  const list = await a.as(alice.token, { url: '/employee?sort=name' })
  t.equal(list.statusCode, 200, list.body)
  const [ann, ben, cat] = list.json().data as Row[]
  t.equal(ann?.salary, 100, 'her own row: every field')
  t.equal(ann?.ssn, 'ssn-1')
  t.same(keys(ben), ['customer_id', 'dept', 'id', 'name'], 'another row: the shared policy\'s fields')
  t.same(keys(cat), ['customer_id', 'dept', 'id', 'name'])
  t.notMatch(list.body, /ssn-2|ssn-3|writes code/)
  t.equal((await a.as(alice.token, { url: `/employee/${String(w.e1.id)}` })).json().data.salary, 100)
  t.same(keys((await a.as(alice.token, { url: `/employee/${String(w.e2.id)}` })).json().data), ['customer_id', 'dept', 'id', 'name'])
  // fields= may name what some row shows; each row still shows only its own grant.
  const sel = await a.as(alice.token, { url: '/employee?fields=name,salary&sort=name' })
  t.equal(sel.statusCode, 200, sel.body)
  t.same(sel.json().data, [{ id: w.e1.id, name: 'Ann', salary: 100 }, { id: w.e2.id, name: 'Ben' }, { id: w.e3.id, name: 'Cat' }])
  // Not every row shows salary: filtering or sorting on it would reveal it.
  expectError(t, await a.as(alice.token, { url: '/employee?filter[salary.gt]=150' }), 403, 'FORBIDDEN')
  expectError(t, await a.as(alice.token, { url: '/employee?sort=salary' }), 403, 'FORBIDDEN')
  expectError(t, await a.as(alice.token, { url: '/employee/_aggregate?sum=salary' }), 403, 'FORBIDDEN')
  // Includes: each included row by its own grant.
  const cust = await a.as(alice.token, { url: `/customer/${String(w.c1.id)}?include=employees` })
  const emps = new Map((cust.json().data.employees as Row[]).map((e) => [e.name, e]))
  t.equal(emps.get('Ann')?.salary, 100, 'her own included row: whole')
  t.same(keys(emps.get('Ben')), ['customer_id', 'dept', 'id', 'name'], 'another included row: the shared fields')
  t.notMatch(cust.body, /ssn-2|[:,[]200[,}\]]/, 'no hidden value (200 as a JSON value, not inside a timestamp)')
  const bobs = await a.as(w.bob.token, { url: '/employee?sort=name' })
  t.same(bobs.json().data.map((r: Row) => r.salary), [undefined, 200, undefined], 'each user sees their own rows whole')
})

t.test('write responses show only what the writer may read', async (t) => {
  const w = await world(t)
  const { a } = w
  await policy(a, { entity: 'employee', action: 'create', roles: ['viewer'] })
  await policy(a, { entity: 'employee', action: 'update', roles: ['viewer'] })
  await policy(a, { entity: 'customer', action: 'create', roles: ['viewer'] })
  const created = await a.as(w.viewer, { method: 'POST', url: '/employee', payload: { name: 'Dan', salary: 5, ssn: 'ssn-4' } })
  t.equal(created.statusCode, 201, created.body)
  t.same(keys(created.json().data), ['customer_id', 'dept', 'id', 'name'])
  t.equal((await a.as(a.admin, { url: `/employee/${String(created.json().data.id)}` })).json().data.ssn, 'ssn-4', 'written, just not shown')
  const updated = await a.as(w.viewer, { method: 'PUT', url: `/employee/${String(created.json().data.id)}?include=customer`, payload: { salary: 6, customer_id: w.c1.id } })
  t.equal(updated.statusCode, 200, updated.body)
  t.same(keys(updated.json().data), ['customer', 'customer_id', 'dept', 'id', 'name'])
  t.same(keys(updated.json().data.customer), ['id', 'name'])
  const nested = await a.as(w.viewer, { method: 'POST', url: '/customer', payload: { name: 'Cyan', tier: 'x', employees: [{ name: 'Eve', salary: 9 }] } })
  t.equal(nested.statusCode, 201, nested.body)
  t.same(keys(nested.json().data), ['employees', 'id', 'name'])
  t.same(nested.json().data.employees.map(keys), [['customer_id', 'dept', 'id', 'name']])
  const bulk = await a.as(w.viewer, { method: 'POST', url: '/employee', payload: [{ name: 'F1', ssn: 'x1' }, { name: 'F2', ssn: 'x2' }] })
  t.equal(bulk.statusCode, 201, bulk.body)
  t.same(bulk.json().data.map(keys), [['customer_id', 'dept', 'id', 'name'], ['customer_id', 'dept', 'id', 'name']])
  const batch = await a.as(w.viewer, { method: 'POST', url: '/_batch', payload: { operations: [{ method: 'POST', entity: 'employee', body: { name: 'G', ssn: 'x3' } }] } })
  t.equal(batch.statusCode, 200, batch.body)
  t.same(keys(batch.json().data[0].data), ['customer_id', 'dept', 'id', 'name'])
  t.notMatch(bulk.body + batch.body + nested.body, /x1|x2|x3|"tier"/)
})
