import t from 'tap'
import { hashPassword } from '../../lib/auth/passwords.js'
import { build, createTestApp, expectError } from '../helper.js'

const login = { email: 'admin@localhost', password: 'changeme' }

t.test('app login, refresh rotation, reuse detection, logout', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const res = await a.as(null, { method: 'POST', url: '/auth/login', payload: login })
  t.equal(res.statusCode, 200)
  const tokens = res.json().data
  t.ok(tokens.access_token)
  t.ok(tokens.refresh_token)
  t.notOk(JSON.stringify(res.json()).includes('password_hash'), 'no hash in responses')
  const claims = JSON.parse(Buffer.from(String(tokens.access_token).split('.')[1] as string, 'base64url').toString())
  t.equal(claims.app, a.name)
  t.same(claims.roles, ['admin'])
  t.equal(claims.sub, tokens.user.id)
  t.ok(claims.exp - claims.iat === 900, 'access token lives 15 minutes')

  const r1 = await a.as(null, { method: 'POST', url: '/auth/refresh', payload: { refresh_token: tokens.refresh_token } })
  t.equal(r1.statusCode, 200)
  const rotated = r1.json().data.refresh_token
  t.not(rotated, tokens.refresh_token, 'rotated on use')
  // The old token again: refused, and the whole family (including the new token) is revoked.
  expectError(t, await a.as(null, { method: 'POST', url: '/auth/refresh', payload: { refresh_token: tokens.refresh_token } }), 401, 'UNAUTHORIZED')
  expectError(t, await a.as(null, { method: 'POST', url: '/auth/refresh', payload: { refresh_token: rotated } }), 401, 'UNAUTHORIZED')

  const fresh = (await a.as(null, { method: 'POST', url: '/auth/login', payload: login })).json().data
  t.equal((await a.as(null, { method: 'POST', url: '/auth/logout', payload: { refresh_token: fresh.refresh_token } })).statusCode, 200)
  expectError(t, await a.as(null, { method: 'POST', url: '/auth/refresh', payload: { refresh_token: fresh.refresh_token } }), 401, 'UNAUTHORIZED')
  expectError(t, await a.as(null, { method: 'POST', url: '/auth/refresh', payload: {} }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'admin@localhost' } }), 400, 'INVALID_PAYLOAD')
})

t.test('wrong password and unknown email answer the same', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const wrong = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'admin@localhost', password: 'wrong-password' } })
  const unknown = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'nobody@localhost', password: 'wrong-password' } })
  expectError(t, wrong, 401, 'UNAUTHORIZED')
  t.equal(wrong.body, unknown.body)
})

t.test('tokens are scoped: app A token refused in app B; platform token is admin everywhere', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const b = await createTestApp(app)
  expectError(t, await b.as(a.admin, { url: '/_admin/entities' }), 401, 'UNAUTHORIZED')
  t.equal((await b.as(a.platform, { url: '/_admin/entities' })).statusCode, 200)
  t.equal((await a.as(a.admin, { url: '/_admin/entities' })).statusCode, 200)
  expectError(t, await a.as('garbage.token.here', { url: '/_admin/entities' }), 401, 'UNAUTHORIZED')
  expectError(t, await a.as(null, { url: '/_admin/entities' }), 401, 'UNAUTHORIZED')
  // An app token is not a platform token.
  const res = await app.inject({ url: '/api/_platform/apps', headers: { authorization: `Bearer ${a.admin}` } })
  expectError(t, res, 401, 'UNAUTHORIZED')
  expectError(t, await app.inject({ url: '/api/no_such_app/customer', headers: { authorization: `Bearer ${a.platform}` } }), 404, 'APP_NOT_FOUND')
})

t.test('_admin routes need the admin role', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const ctx = await app.platform.apps.get(a.name)
  await ctx!.sql`INSERT INTO _users (email, password_hash, roles) VALUES ('clerk@localhost', ${await hashPassword('clerk-password')}, ${['clerk']})`
  const clerk = (await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'clerk@localhost', password: 'clerk-password' } })).json().data.access_token
  expectError(t, await a.as(clerk, { url: '/_admin/entities' }), 403, 'FORBIDDEN')
  await ctx!.sql`UPDATE _users SET active = false WHERE email = 'clerk@localhost'`
  expectError(t, await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'clerk@localhost', password: 'clerk-password' } }), 401, 'UNAUTHORIZED')
})

t.test('platform refresh and logout', async (t) => {
  const app = await build(t)
  const res = await app.inject({ method: 'POST', url: '/api/_platform/auth/login', payload: { email: 'platform@localhost', password: 'changeme' } })
  const { refresh_token: rt } = res.json().data
  const r = await app.inject({ method: 'POST', url: '/api/_platform/auth/refresh', payload: { refresh_token: rt } })
  t.equal(r.statusCode, 200)
  const out = await app.inject({ method: 'POST', url: '/api/_platform/auth/logout', payload: { refresh_token: r.json().data.refresh_token } })
  t.equal(out.statusCode, 200)
  expectError(t, await app.inject({ method: 'POST', url: '/api/_platform/auth/refresh', payload: { refresh_token: r.json().data.refresh_token } }), 401, 'UNAUTHORIZED')
})
