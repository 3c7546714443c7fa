import t, { type Test } from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

async function invoiceSchema (t: Tap, a: TestApp): Promise<void> {
  const defs = [
    { name: 'customer', table: 'customers', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string', required: true }, { name: 'email', type: 'string', unique: true }] },
    {
      name: 'invoice',
      table: 'invoices',
      soft_delete: true,
      fields: [
        { name: 'id', type: 'uuid' },
        { name: 'number', type: 'string', required: true, unique: true },
        { name: 'status', type: 'string', default: 'draft', enum: ['draft', 'sent', 'paid', 'void'] },
        { name: 'total', type: 'decimal', precision: 2 },
        { name: 'customer_id', type: 'uuid' },
        { name: 'created_at', type: 'timestamp', auto: 'create' },
        { name: 'updated_at', type: 'timestamp', auto: 'update' }
      ]
    },
    { name: 'invoice_item', table: 'invoice_items', fields: [{ name: 'id', type: 'uuid' }, { name: 'invoice_id', type: 'uuid', required: true }, { name: 'description', type: 'string', required: true }, { name: 'quantity', type: 'int', default: 1 }] }
  ]
  for (const d of defs) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: d })
    t.equal(res.statusCode, 201, res.body)
  }
  for (const r of [
    { name: 'invoices', type: 'one_to_many', source: 'customer', target: 'invoice', source_key: 'id', target_key: 'customer_id', on_delete: 'restrict', inverse_name: 'customer' },
    { name: 'items', type: 'one_to_many', source: 'invoice', target: 'invoice_item', source_key: 'id', target_key: 'invoice_id', on_delete: 'cascade' }
  ]) {
    const res = await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: r })
    t.equal(res.statusCode, 201, res.body)
  }
}
type Tap = Test

t.test('CRUD, filters, includes, nested writes', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  await invoiceSchema(t, a)
  const c = await a.as(a.admin, { method: 'POST', url: '/customer', payload: { name: 'Acme', email: 'a@acme.test' } })
  t.equal(c.statusCode, 201, c.body)
  const customer = c.json().data
  const inv = await a.as(a.admin, {
    method: 'POST',
    url: '/invoice',
    payload: { number: 'INV-1', total: '199.99', customer_id: customer.id, items: { _write_mode: 'diff', data: [{ description: 'A', quantity: 2 }, { description: 'B' }] } }
  })
  t.equal(inv.statusCode, 201, inv.body)
  const invoice = inv.json().data
  t.equal(invoice.status, 'draft')
  t.equal(invoice.total, '199.99')
  t.equal(invoice.items.length, 2)
  t.ok(invoice.created_at)
  const list = await a.as(a.admin, { url: '/invoice?filter[status]=draft&filter[total.gte]=100&sort=-number&include=items,customer' })
  t.equal(list.statusCode, 200, list.body)
  const body = list.json()
  t.same(body.meta, { page: 1, per_page: 25, total: 1 })
  t.equal(body.data[0].items.length, 2)
  t.equal(body.data[0].customer.name, 'Acme')
  const got = await a.as(a.admin, { url: `/customer/${String(customer.id)}?include=invoices` })
  t.equal(got.json().data.invoices.length, 1)
  const upd = await a.as(a.admin, { method: 'PUT', url: `/invoice/${String(invoice.id)}`, payload: { status: 'sent' } })
  t.equal(upd.json().data.status, 'sent')
  expectError(t, await a.as(a.admin, { method: 'PUT', url: `/invoice/${String(invoice.id)}`, payload: { status: 'bogus' } }), 422, 'VALIDATION_FAILED')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'INV-1' } }), 409, 'CONFLICT')
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'X', nope: 1 } }), 400, 'UNKNOWN_FIELD')
  expectError(t, await a.as(a.admin, { url: '/invoice?filter[nope]=1' }), 400, 'UNKNOWN_FIELD')
  expectError(t, await a.as(a.admin, { url: '/invoice/not-a-uuid' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { url: '/nope' }), 404, 'UNKNOWN_ENTITY')
  expectError(t, await a.as(a.admin, { method: 'DELETE', url: `/customer/${String(customer.id)}` }), 409, 'CONFLICT')
  const del = await a.as(a.admin, { method: 'DELETE', url: `/invoice/${String(invoice.id)}` })
  t.equal(del.statusCode, 200, del.body)
  expectError(t, await a.as(a.admin, { url: `/invoice/${String(invoice.id)}` }), 404, 'NOT_FOUND')
  const bad = await a.as(a.admin, { method: 'POST', url: '/customer', payload: '{"name": ', headers: { 'content-type': 'application/json' } })
  expectError(t, bad, 400, 'INVALID_PAYLOAD')
  const noauth = await a.as(null, { url: '/customer' })
  expectError(t, noauth, 401, 'UNAUTHORIZED')
})
