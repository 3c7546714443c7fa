import t from 'tap'
import { build, createTestApp, expectError, platformToken } from '../helper.js'

t.test('health', async (t) => {
  const app = await build(t)
  const res = await app.inject({ url: '/health' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok', database: 'ok' })
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.notOk(res.headers['x-powered-by'])
})

t.test('platform login, apps lifecycle', async (t) => {
  const app = await build(t)
  const bad = await app.inject({ method: 'POST', url: '/api/_platform/auth/login', payload: { email: 'platform@localhost', password: 'nope' } })
  expectError(t, bad, 401, 'UNAUTHORIZED')
  const token = await platformToken(app)
  t.ok(token)
  const auth = { authorization: `Bearer ${token}` }
  const noAuth = await app.inject({ url: '/api/_platform/apps' })
  expectError(t, noAuth, 401, 'UNAUTHORIZED')
  const invalid = await app.inject({ method: 'POST', url: '/api/_platform/apps', headers: auth, payload: { name: 'Bad-Name' } })
  expectError(t, invalid, 422, 'VALIDATION_FAILED')
  const created = await app.inject({ method: 'POST', url: '/api/_platform/apps', headers: auth, payload: { name: 'shop_t1', display_name: 'Shop' } })
  t.equal(created.statusCode, 201, created.body)
  t.equal(created.json().data.name, 'shop_t1')
  t.equal(created.json().data.jwt_secret, undefined, 'secret never returned')
  const dup = await app.inject({ method: 'POST', url: '/api/_platform/apps', headers: auth, payload: { name: 'shop_t1' } })
  expectError(t, dup, 409, 'CONFLICT')
  const list = await app.inject({ url: '/api/_platform/apps', headers: auth })
  t.ok(list.json().data.some((a: { name: string }) => a.name === 'shop_t1'))
  const login = await app.inject({ method: 'POST', url: '/api/shop_t1/auth/login', payload: { email: 'admin@localhost', password: 'changeme' } })
  t.equal(login.statusCode, 200)
  const del = await app.inject({ method: 'DELETE', url: '/api/_platform/apps/shop_t1', headers: auth })
  t.equal(del.statusCode, 200)
  const gone = await app.inject({ method: 'POST', url: '/api/shop_t1/auth/login', payload: { email: 'admin@localhost', password: 'changeme' } })
  expectError(t, gone, 404, 'APP_NOT_FOUND')
})

t.test('entity admin round trip', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const res = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'customer', table: 'customers', fields: [{ name: 'name', type: 'string', required: true }] } })
  t.equal(res.statusCode, 201, res.body)
  const list = await a.as(a.admin, { url: '/_admin/entities' })
  t.equal(list.json().data.length, 1)
})
