import t from 'tap'
import { build, createTestApp, expectError } from '../helper.js'
import { hiddenOf, make, policy, schema, userToken } from './field-permissions-fixtures.js'

/** Field-level write permissions (docs/security.md, "Field permissions"): 403 per field, nothing written. */

t.test('create and update write only granted fields; refusals name every field and write nothing', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await schema(t, a)
  const clerk = await userToken(a, 'clerk@example.test', ['clerk'])
  await policy(a, { entity: 'employee', action: 'read', roles: ['clerk'] })
  await policy(a, { entity: 'employee', action: 'create', roles: ['clerk'], fields: ['name', 'dept'] })
  await policy(a, { entity: 'employee', action: 'update', roles: ['clerk'], fields: ['name'] })
  const count = async (): Promise<number> => (await a.as(a.admin, { url: '/employee' })).json().meta.total

  const refused = await a.as(clerk.token, { method: 'POST', url: '/employee', payload: { name: 'Ann', salary: 100, ssn: 'x' } })
  expectError(t, refused, 403, 'FORBIDDEN')
  t.same(hiddenOf(refused), [['salary', 'field_permission'], ['ssn', 'field_permission']], 'one detail per field')
  t.equal(await count(), 0, 'nothing written')
  // A default of a field the caller may not write is the engine's value, not the caller's.
  const ok = await a.as(clerk.token, { method: 'POST', url: '/employee', payload: { name: 'Ann', dept: 'ops' } })
  t.equal(ok.statusCode, 201, ok.body)
  t.equal(ok.json().data.status, 'new', 'the default of an ungranted field still applies')
  const id = String(ok.json().data.id)
  t.equal((await a.as(clerk.token, { method: 'POST', url: '/employee', payload: { id: '7f1f8a4e-8a6e-4c56-9d71-0d5a6f1b2c3d', name: 'Pk' } })).statusCode, 201, 'the primary key is always writable')

  const upd = await a.as(clerk.token, { method: 'PUT', url: `/employee/${id}`, payload: { name: 'Anna', dept: 'dev' } })
  expectError(t, upd, 403, 'FORBIDDEN')
  t.same(hiddenOf(upd), [['dept', 'field_permission']])
  t.equal((await a.as(a.admin, { url: `/employee/${id}` })).json().data.name, 'Ann', 'the refused update changed nothing')
  const upd2 = await a.as(clerk.token, { method: 'PUT', url: `/employee/${id}`, payload: { name: 'Anna' } })
  t.equal(upd2.statusCode, 200, upd2.body)
  t.equal(upd2.json().data.name, 'Anna')
  // A payload error the caller could fix is still a 4xx, never a 500.
  expectError(t, await a.as(clerk.token, { method: 'POST', url: '/employee', payload: { name: 'B', nmae: 'x' } }), 400, 'UNKNOWN_FIELD')
})

t.test('several policies union their fields; fields of conditional policies count on the rows they match', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await schema(t, a)
  const alice = await userToken(a, 'alice@example.test', ['staff', 'hr'])
  await policy(a, { entity: 'employee', action: 'read', roles: ['staff'] })
  await policy(a, { entity: 'employee', action: 'create', roles: ['staff'], fields: ['name'] })
  await policy(a, { entity: 'employee', action: 'create', roles: ['hr'], fields: ['dept', 'owner_id'] })
  await policy(a, { entity: 'employee', action: 'update', roles: ['staff'], fields: ['name'] })
  await policy(a, { entity: 'employee', action: 'update', roles: ['staff'], conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }] })
  const both = await a.as(alice.token, { method: 'POST', url: '/employee', payload: { name: 'Ann', dept: 'ops', owner_id: alice.id } })
  t.equal(both.statusCode, 201, `two roles' create policies union (${both.body})`)
  const other = await make(a, 'employee', { name: 'Ben', salary: 1 })
  const own = String(both.json().data.id)
  const mine = await a.as(alice.token, { method: 'PUT', url: `/employee/${own}`, payload: { salary: 10 } })
  t.equal(mine.statusCode, 200, `her own row: every field (${mine.body})`)
  t.equal(mine.json().data.salary, 10)
  const theirs = await a.as(alice.token, { method: 'PUT', url: `/employee/${String(other.id)}`, payload: { name: 'Benny', salary: 99 } })
  expectError(t, theirs, 403, 'FORBIDDEN')
  t.same(hiddenOf(theirs), [['salary', 'field_permission']])
  t.equal((await a.as(a.admin, { url: `/employee/${String(other.id)}` })).json().data.salary, 1)
  t.equal((await a.as(alice.token, { method: 'PUT', url: `/employee/${String(other.id)}`, payload: { name: 'Benny' } })).statusCode, 200)
})

t.test('nested, bulk and batch writes check every record; one refusal rolls everything back', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await schema(t, a)
  const clerk = await userToken(a, 'clerk@example.test', ['clerk'])
  for (const entity of ['customer', 'employee']) await policy(a, { entity, action: 'read', roles: ['clerk'] })
  await policy(a, { entity: 'customer', action: 'create', roles: ['clerk'] })
  await policy(a, { entity: 'customer', action: 'update', roles: ['clerk'] })
  await policy(a, { entity: 'employee', action: 'create', roles: ['clerk'], fields: ['name'] })
  const total = async (entity: string): Promise<number> => (await a.as(a.admin, { url: `/${entity}` })).json().meta.total

  const nested = await a.as(clerk.token, { method: 'POST', url: '/customer', payload: { name: 'Acme', employees: [{ name: 'Ann' }, { name: 'Ben', salary: 5 }] } })
  expectError(t, nested, 403, 'FORBIDDEN')
  t.same(hiddenOf(nested), [['employees[1].salary', 'field_permission']], 'the nested record is named by its path')
  t.equal(await total('customer'), 0, 'the parent was not written either')
  t.equal(await total('employee'), 0)
  const good = await a.as(clerk.token, { method: 'POST', url: '/customer', payload: { name: 'Acme', employees: [{ name: 'Ann' }] } })
  t.equal(good.statusCode, 201, `the FK a parent propagates is not the caller's field (${good.body})`)

  const bulk = await a.as(clerk.token, { method: 'POST', url: '/employee', payload: [{ name: 'X' }, { name: 'Y', ssn: 's' }] })
  expectError(t, bulk, 403, 'FORBIDDEN')
  t.equal(await total('employee'), 1, 'no record of the refused bulk create was written')
  const batch = await a.as(clerk.token, {
    method: 'POST',
    url: '/_batch',
    payload: { operations: [{ method: 'POST', entity: 'customer', body: { name: 'B' } }, { method: 'POST', entity: 'employee', body: { name: 'Z', salary: 1 } }] }
  })
  expectError(t, batch, 403, 'FORBIDDEN')
  t.equal(await total('customer'), 1, 'the batch rolled back')
  const upd = await a.as(clerk.token, { method: 'PUT', url: `/customer/${String(good.json().data.id)}`, payload: { employees: { _write_mode: 'append', data: [{ name: 'Q', bio: 'b' }] } } })
  expectError(t, upd, 403, 'FORBIDDEN')
  t.same(hiddenOf(upd).map(([f]) => f), ['employees[0].bio'])
  const admin = await a.as(a.admin, { method: 'POST', url: '/employee', payload: { name: 'Root', salary: 1, ssn: 's' } })
  t.equal(admin.statusCode, 201, 'admins write every field')
})
