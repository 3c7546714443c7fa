import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

type Row = Record<string, unknown>

async function login (a: TestApp, email: string, password: string): Promise<{ status: number, access: string, refresh: string }> {
  const res = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email, password } })
  const data = res.statusCode === 200 ? res.json().data : {}
  return { status: res.statusCode, access: data.access_token, refresh: data.refresh_token }
}

t.test('user CRUD: validation, unique email, write-only password', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email: ' Clerk@Example.TEST ', password: 'secret-pass', roles: ['clerk'] } })
  t.equal(res.statusCode, 201, res.body)
  const user = res.json().data
  t.match(user, { email: 'clerk@example.test', roles: ['clerk'], active: true })
  t.notOk(/password|hash/.test(res.body), 'no password or hash in the answer')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email: 'CLERK@example.test', password: 'secret-pass' } }), 409, 'CONFLICT')
  const bad = await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email: 'not an email', password: 'short', roles: 'clerk', admin: true } })
  expectError(t, bad, 422, 'VALIDATION_FAILED')
  t.same(bad.json().error.details.map((d: Row) => d.field).sort(), ['admin', 'email', 'password', 'roles'])
  t.match(bad.json().error.details.find((d: Row) => d.field === 'password').message, /at least 8/)
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email: 'x@example.test' } }), 422, 'VALIDATION_FAILED')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email: 'x@example.test', password: 'p'.repeat(73) } }), 422, 'VALIDATION_FAILED')

  const list = await a.as(a.admin, { url: '/_admin/users?per_page=1' })
  t.equal(list.statusCode, 200)
  t.same(list.json().meta, { page: 1, per_page: 1, total: 2 })
  const all = await a.as(a.admin, { url: '/_admin/users' })
  t.notOk(/password|hash/.test(all.body))
  t.same(all.json().data.map((u: Row) => u.email), ['admin@localhost', 'clerk@example.test'])
  t.equal((await a.as(a.admin, { url: `/_admin/users/${String(user.id)}` })).json().data.email, 'clerk@example.test')
  expectError(t, await a.as(a.admin, { url: '/_admin/users/00000000-0000-4000-8000-000000000000' }), 404, 'NOT_FOUND')
  expectError(t, await a.as(a.admin, { url: '/_admin/users?page=0' }), 400, 'INVALID_PAYLOAD')

  const first = await login(a, 'clerk@example.test', 'secret-pass')
  t.equal(first.status, 200)
  const upd = await a.as(a.admin, { method: 'PUT', url: `/_admin/users/${String(user.id)}`, payload: { password: 'another-pass', roles: ['clerk', 'lead'] } })
  t.equal(upd.statusCode, 200, upd.body)
  t.same(upd.json().data.roles, ['clerk', 'lead'])
  t.notOk(/password|hash/.test(upd.body))
  t.equal((await login(a, 'clerk@example.test', 'secret-pass')).status, 401, 'old password refused')
  t.equal((await login(a, 'clerk@example.test', 'another-pass')).status, 200, 'new password works')
  expectError(t, await a.as(null, { method: 'POST', url: '/auth/refresh', payload: { refresh_token: first.refresh } }), 401, 'UNAUTHORIZED')
  expectError(t, await a.as(a.admin, { method: 'PUT', url: `/_admin/users/${String(user.id)}`, payload: { email: 'ADMIN@localhost' } }), 409, 'CONFLICT')
  expectError(t, await a.as(a.admin, { method: 'PUT', url: `/_admin/users/${String(user.id)}`, payload: { active: 'no' } }), 422, 'VALIDATION_FAILED')
  expectError(t, await a.as(first.access, { url: '/_admin/users' }), 401, 'UNAUTHORIZED') // issued before the password and roles changed
})

t.test('a deactivated user: login, refresh and access tokens refused at once', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'note', fields: [{ name: 'id', type: 'uuid' }, { name: 'body', type: 'text' }] } })
  await a.as(a.admin, { method: 'POST', url: '/_admin/permissions', payload: { entity: 'note', action: 'read', roles: ['staff'] } })
  const id = (await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email: 'staff@example.test', password: 'staff-pass', roles: ['staff'] } })).json().data.id
  const s = await login(a, 'staff@example.test', 'staff-pass')
  t.equal((await a.as(s.access, { url: '/note' })).statusCode, 200)
  const off = await a.as(a.admin, { method: 'PUT', url: `/_admin/users/${String(id)}`, payload: { active: false } })
  t.equal(off.json().data.active, false)
  const refused = await a.as(s.access, { url: '/note' })
  expectError(t, refused, 401, 'UNAUTHORIZED')
  t.match(refused.json().error.message, /disabled/)
  expectError(t, await a.as(null, { method: 'POST', url: '/auth/refresh', payload: { refresh_token: s.refresh } }), 401, 'UNAUTHORIZED')
  const again = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'staff@example.test', password: 'staff-pass' } })
  const wrong = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'staff@example.test', password: 'wrong-pass' } })
  expectError(t, again, 401, 'UNAUTHORIZED')
  t.equal(again.body, wrong.body, 'a disabled account answers like a wrong password')

  await a.as(a.admin, { method: 'PUT', url: `/_admin/users/${String(id)}`, payload: { active: true } })
  const back = await login(a, 'staff@example.test', 'staff-pass')
  t.equal(back.status, 200, 'reactivated')
  t.equal((await a.as(back.access, { url: '/note' })).statusCode, 200)

  // Deactivated by another process (its row change + its announcement on rocket_blocklist): refused here too, without a reload.
  const ctx = await app.platform.apps.get(a.name)
  await ctx!.sql`UPDATE _users SET active = false WHERE id = ${id}`
  await app.platform.sql.notify('rocket_blocklist', `another-process:${a.name}:${String(id)}:deactivated`)
  let status = 0
  for (const until = Date.now() + 2000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 20))) {
    status = (await a.as(back.access, { url: '/note' })).statusCode
    if (status === 401) break
  }
  t.equal(status, 401, 'refused once the announcement arrives')
})

t.test('a deleted user: tokens refused, refresh tokens gone', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const id = (await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email: 'temp@example.test', password: 'temp-pass', roles: ['admin'] } })).json().data.id
  const s = await login(a, 'temp@example.test', 'temp-pass')
  t.equal((await a.as(s.access, { url: '/_admin/entities' })).statusCode, 200)
  const del = await a.as(a.admin, { method: 'DELETE', url: `/_admin/users/${String(id)}` })
  t.same(del.json(), { data: { id } })
  expectError(t, await a.as(s.access, { url: '/_admin/entities' }), 401, 'UNAUTHORIZED')
  expectError(t, await a.as(null, { method: 'POST', url: '/auth/refresh', payload: { refresh_token: s.refresh } }), 401, 'UNAUTHORIZED')
  t.equal((await login(a, 'temp@example.test', 'temp-pass')).status, 401)
  expectError(t, await a.as(a.admin, { method: 'DELETE', url: `/_admin/users/${String(id)}` }), 404, 'NOT_FOUND')
  expectError(t, await a.as(a.admin, { url: '/_admin/users/nope' }), 404, 'NOT_FOUND')
})

t.test("another app's token is refused", async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const b = await createTestApp(app)
  await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email: 'u@example.test', password: 'user-pass', roles: ['admin'] } })
  const s = await login(a, 'u@example.test', 'user-pass')
  expectError(t, await b.as(s.access, { url: '/_admin/users' }), 401, 'UNAUTHORIZED')
  expectError(t, await b.as(null, { method: 'POST', url: '/auth/refresh', payload: { refresh_token: s.refresh } }), 401, 'UNAUTHORIZED')
  t.equal((await login(b, 'u@example.test', 'user-pass')).status, 401, 'users are per app')
})
