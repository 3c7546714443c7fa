import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

interface AuditRow {
  id: string
  entity: string
  record_id: string
  action: string
  changes: Record<string, unknown> | null
  user_id: string | null
  at: string
}

async function schema (a: TestApp): Promise<void> {
  for (const payload of [
    { name: 'invoice', table: 'invoices', fields: [{ name: 'id', type: 'uuid' }, { name: 'number', type: 'string', required: true, unique: true }, { name: 'status', type: 'string', default: 'draft' }, { name: 'total', type: 'decimal', precision: 2 }, { name: 'due', type: 'timestamp' }] },
    { name: 'line', table: 'lines', fields: [{ name: 'id', type: 'uuid' }, { name: 'invoice_id', type: 'uuid', required: true }, { name: 'sku', type: 'string', required: true, unique: true }] }
  ]) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload })
    if (res.statusCode !== 201) throw new Error(res.body)
  }
  const rel = await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: { name: 'lines', type: 'one_to_many', source: 'invoice', target: 'line', source_key: 'id', target_key: 'invoice_id', on_delete: 'cascade' } })
  if (rel.statusCode !== 201) throw new Error(rel.body)
}

async function audit (a: TestApp, query = ''): Promise<{ data: AuditRow[], meta: { page: number, per_page: number, total: number } }> {
  const res = await a.as(a.admin, { url: `/_admin/audit${query}` })
  if (res.statusCode !== 200) throw new Error(res.body)
  return res.json()
}

t.test('creates, updates and deletes are audited, nested children included', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await schema(a)
  const users = await a.as(a.admin, { url: '/_admin/users' })
  const adminId = (users.json().data as Array<{ id: string, email: string }>).find((u) => u.email === 'admin@localhost')?.id

  const created = await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-1', total: 10, lines: { data: [{ sku: 'A' }, { sku: 'B' }] } } })
  t.equal(created.statusCode, 201, created.body)
  const inv = created.json().data
  const afterCreate = await audit(a)
  t.equal(afterCreate.meta.total, 3, 'parent and both children')
  const invCreate = afterCreate.data.find((r) => r.entity === 'invoice')
  t.match(invCreate, { record_id: inv.id, action: 'create', user_id: adminId })
  t.same(invCreate?.changes, { id: inv.id, number: 'INV-1', status: 'draft', total: '10.00' }, 'written values as stored')
  const lineCreates = afterCreate.data.filter((r) => r.entity === 'line')
  t.same(lineCreates.map((r) => r.changes?.sku).sort(), ['A', 'B'])
  t.ok(lineCreates.every((r) => r.changes?.invoice_id === inv.id), 'children record the propagated FK')
  t.equal(afterCreate.data[2]?.entity, 'invoice', 'newest first: the parent was written first')

  const upd = await a.as(a.admin, { method: 'PUT', url: `/invoice/${String(inv.id)}`, payload: { status: 'sent', number: 'INV-1', total: '10.0', due: '2030-01-01T00:00:00Z' } })
  t.equal(upd.statusCode, 200, upd.body)
  const updRows = await audit(a, `?entity=invoice&action=update&record_id=${String(inv.id)}`)
  t.equal(updRows.meta.total, 1)
  t.same(updRows.data[0]?.changes, { status: { old: 'draft', new: 'sent' }, due: { old: null, new: '2030-01-01T00:00:00.000Z' } }, 'only changed fields, old and new')
  t.equal((await audit(a)).data[0]?.action, 'update', 'newest first')

  const del = await a.as(a.admin, { method: 'DELETE', url: `/invoice/${String(inv.id)}` })
  t.equal(del.statusCode, 200, del.body)
  const dels = await audit(a, '?action=delete')
  t.equal(dels.meta.total, 3, 'cascaded children are audited too')
  const invDel = dels.data.find((r) => r.entity === 'invoice')
  t.match(invDel?.changes, { id: inv.id, number: 'INV-1', status: 'sent' }, 'the old row')
  t.same((await audit(a, `?record_id=${String(inv.id)}`)).data.map((r) => r.action), ['delete', 'update', 'create'])

  const page = await audit(a, '?per_page=2&page=2')
  t.same(page.meta, { page: 2, per_page: 2, total: 7 })
  t.equal(page.data.length, 2)

  // Time-ordered ids (UUID version 7, the migration 2026_12_09_0001): new audit rows land at the end of the primary key index.
  const all = (await audit(a, '?per_page=100')).data
  t.ok(all.every((r) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(r.id)), 'version 7 ids')
  const millis = all.map((r) => r.id.slice(0, 13)).reverse()
  t.same(millis, [...millis].sort(), 'their leading 48 bits (the time in ms) grow with the rows')
})

t.test('a rolled-back write leaves no audit row', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await schema(a)
  t.equal((await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-1', lines: { data: [{ sku: 'A' }] } } })).statusCode, 201)
  const before = (await audit(a)).meta.total
  // Parent and first child are inserted, then the second child hits the unique index: all rolls back.
  const failed = await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-2', lines: { data: [{ sku: 'B' }, { sku: 'A' }] } } })
  expectError(t, failed, 409, 'CONFLICT')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-1' } }), 409, 'CONFLICT')
  t.equal((await audit(a)).meta.total, before, 'no audit rows from failed writes')
  t.equal((await audit(a, '?entity=line')).data.some((r) => r.changes?.sku === 'B'), false)
})

t.test('audit endpoint access and parameters', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email: 'staff@audit.test', password: 'password-123', roles: ['staff'] } })
  const login = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'staff@audit.test', password: 'password-123' } })
  const staff = login.json().data.access_token as string
  expectError(t, await a.as(staff, { url: '/_admin/audit' }), 403, 'FORBIDDEN')
  expectError(t, await a.as(null, { url: '/_admin/audit' }), 401, 'UNAUTHORIZED')
  expectError(t, await a.as(a.admin, { url: '/_admin/audit?action=drop' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { url: '/_admin/audit?entiy=x' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { url: '/_admin/audit?page=0' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { url: '/_admin/audit?entity=a&entity=b' }), 400, 'INVALID_PAYLOAD')
  const empty = await audit(a, '?entity=nothing&per_page=500')
  t.same(empty, { data: [], meta: { page: 1, per_page: 100, total: 0 } })
})
