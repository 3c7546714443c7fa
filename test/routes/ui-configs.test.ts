import t from 'tap'
import { build, createTestApp, expectError } from '../helper.js'

t.test('UI configs: admin CRUD and client reads', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const ent = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'customer', table: 'customers', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string' }] } })
  t.equal(ent.statusCode, 201, ent.body)
  await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email: 'staff@ui.test', password: 'password-123', roles: ['staff'] } })
  const staff = (await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'staff@ui.test', password: 'password-123' } })).json().data.access_token as string
  const post = async (payload: unknown): Promise<Awaited<ReturnType<typeof a.as>>> => await a.as(a.admin, { method: 'POST', url: '/_admin/ui-configs', payload: payload as object })

  const created = await post({ entity: 'customer', config: { columns: ['name'], nested: { a: [1, 2] } } })
  t.equal(created.statusCode, 201, created.body)
  const cfg = created.json().data
  t.match(cfg, { entity: 'customer', scope: 'default', config: { columns: ['name'], nested: { a: [1, 2] } } })
  t.ok(cfg.id && cfg.created_at && cfg.updated_at)
  const mobile = await post({ entity: 'customer', scope: 'mobile', config: { columns: [] } })
  t.equal(mobile.statusCode, 201, mobile.body)

  expectError(t, await post({ entity: 'customer', config: {} }), 409, 'CONFLICT')
  const missing = await post({ entity: 'nope', config: {} })
  expectError(t, missing, 422, 'VALIDATION_FAILED')
  t.equal(missing.json().error.details[0].field, 'entity')
  expectError(t, await post({ entity: 'customer', scope: 'x', config: [1] }), 422, 'VALIDATION_FAILED')
  expectError(t, await post({ entity: 'customer', scope: 'y', config: 'str' }), 422, 'VALIDATION_FAILED')
  expectError(t, await post({ entity: 'customer', scope: 'z' }), 422, 'VALIDATION_FAILED')
  expectError(t, await post({ entity: 'customer', scope: '', config: {} }), 422, 'VALIDATION_FAILED')
  expectError(t, await post({ entity: 'customer', scope: 'w', config: {}, colour: 'red' }), 422, 'VALIDATION_FAILED')
  expectError(t, await post([1]), 400, 'INVALID_PAYLOAD')

  const list = await a.as(a.admin, { url: '/_admin/ui-configs' })
  t.same(list.json().meta, { page: 1, per_page: 25, total: 2 })
  t.same(list.json().data.map((c: { scope: string }) => c.scope), ['default', 'mobile'])
  t.equal((await a.as(a.admin, { url: '/_admin/ui-configs?scope=mobile' })).json().meta.total, 1)
  t.same((await a.as(a.admin, { url: `/_admin/ui-configs/${String(cfg.id)}` })).json().data, cfg)

  const upd = await a.as(a.admin, { method: 'PUT', url: `/_admin/ui-configs/${String(cfg.id)}`, payload: { ...cfg, config: { columns: ['id', 'name'] } } })
  t.equal(upd.statusCode, 200, upd.body)
  t.match(upd.json().data, { id: cfg.id, entity: 'customer', scope: 'default', config: { columns: ['id', 'name'] } })
  expectError(t, await a.as(a.admin, { method: 'PUT', url: `/_admin/ui-configs/${String(cfg.id)}`, payload: { scope: 'mobile' } }), 409, 'CONFLICT')
  expectError(t, await a.as(a.admin, { method: 'PUT', url: `/_admin/ui-configs/${String(cfg.id)}`, payload: { config: null } }), 422, 'VALIDATION_FAILED')
  expectError(t, await a.as(a.admin, { method: 'PUT', url: '/_admin/ui-configs/4c6b7a2e-2f0a-4a43-9d4e-1f2a3b4c5d6e', payload: { config: {} } }), 404, 'NOT_FOUND')
  expectError(t, await a.as(a.admin, { url: '/_admin/ui-configs/not-a-uuid' }), 404, 'NOT_FOUND')

  expectError(t, await a.as(staff, { url: '/_admin/ui-configs' }), 403, 'FORBIDDEN')
  expectError(t, await a.as(staff, { method: 'POST', url: '/_admin/ui-configs', payload: { entity: 'customer', scope: 's', config: {} } }), 403, 'FORBIDDEN')
  const all = await a.as(staff, { url: '/_ui/configs' })
  t.equal(all.statusCode, 200, all.body)
  t.equal(all.json().data.length, 2)
  t.same((await a.as(staff, { url: '/_ui/configs?entity=customer&scope=mobile' })).json().data.map((c: { scope: string }) => c.scope), ['mobile'])
  const one = await a.as(staff, { url: '/_ui/config/customer' })
  t.same(one.json().data.config, { columns: ['id', 'name'] })
  t.equal((await a.as(staff, { url: '/_ui/config/customer?scope=mobile' })).json().data.scope, 'mobile')
  expectError(t, await a.as(staff, { url: '/_ui/config/customer?scope=tablet' }), 404, 'NOT_FOUND')
  expectError(t, await a.as(staff, { url: '/_ui/config/nope' }), 404, 'NOT_FOUND')
  expectError(t, await a.as(staff, { url: '/_ui/config/customer?scop=x' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(null, { url: '/_ui/configs' }), 401, 'UNAUTHORIZED')

  const del = await a.as(a.admin, { method: 'DELETE', url: `/_admin/ui-configs/${String(cfg.id)}` })
  t.same(del.json(), { data: { id: cfg.id } })
  expectError(t, await a.as(a.admin, { method: 'DELETE', url: `/_admin/ui-configs/${String(cfg.id)}` }), 404, 'NOT_FOUND')
  expectError(t, await a.as(staff, { url: '/_ui/config/customer' }), 404, 'NOT_FOUND')
})
