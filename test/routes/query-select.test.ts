import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { queryWorld, type QueryWorld, type Row } from './query-fixtures.js'

let a: TestApp
let w: QueryWorld

t.before(async () => {
  const app = await build(t)
  a = await createTestApp(app, 'qs')
  w = await queryWorld(t, a)
})

t.test('fields= returns the selected fields and the primary key only', async (t) => {
  const res = await a.as(a.admin, { url: '/invoice?fields=number,total&sort=number' })
  t.equal(res.statusCode, 200, res.body)
  const first = res.json().data[0] as Row
  t.same(Object.keys(first).sort(), ['id', 'number', 'total'])
  t.same(first, { id: w.invoices.get('A1'), number: 'A1', total: '150.00' }, 'decimal as string')
  const one = await a.as(a.admin, { url: `/invoice/${w.invoices.get('A2') ?? ''}?fields=status` })
  t.same(one.json().data, { id: w.invoices.get('A2'), status: 'draft' }, 'on GET by id too')
})

t.test('fields[<include>] and nested includes (depth ≤ 3)', async (t) => {
  const res = await a.as(a.admin, { url: '/invoice?filter[number]=A1&fields=number&include=items.product,customer&fields[items]=quantity&fields[items.product]=name&fields[customer]=name' })
  t.equal(res.statusCode, 200, res.body)
  const inv = res.json().data[0] as Row
  t.same(Object.keys(inv).sort(), ['customer', 'id', 'items', 'number'], 'customer_id read for the include, not returned')
  t.same((inv.customer as Row).name, 'Acme')
  t.same(Object.keys(inv.customer as Row).sort(), ['id', 'name'])
  const item = (inv.items as Row[])[0] as Row
  t.same(Object.keys(item).sort(), ['id', 'product', 'quantity'])
  t.same(item.product, { id: w.products.get('widget'), name: 'widget' })
  const deep = await a.as(a.admin, { url: '/customer?filter[name]=Acme&include=invoices.items.product&sort=name' })
  t.equal(deep.statusCode, 200, deep.body)
  const invoices = (deep.json().data[0] as Row).invoices as Row[]
  t.same(invoices.map((i) => i.number).sort(), ['A1', 'A2'])
  t.same(invoices.flatMap((i) => (i.items as Row[]).map((it) => (it.product as Row).name)).sort(), ['gadget', 'widget'], 'three levels, all fields')
  const byId = await a.as(a.admin, { url: `/invoice/${w.invoices.get('A2') ?? ''}?include=items.product&fields[items.product]=name` })
  t.same(((byId.json().data.items as Row[])[0] as Row).product, { id: w.products.get('gadget'), name: 'gadget' })
})

t.test('malformed fields and includes are 400 naming the parameter', async (t) => {
  const unknown = await a.as(a.admin, { url: '/invoice?fields=number,totl' })
  expectError(t, unknown, 400, 'UNKNOWN_FIELD')
  t.match(unknown.json().error.message, /'totl' in fields.*did you mean 'total'/)
  const inc = await a.as(a.admin, { url: '/invoice?include=items&fields[items]=qty' })
  expectError(t, inc, 400, 'UNKNOWN_FIELD')
  t.match(inc.json().error.message, /fields\[items\]/)
  const notIncluded = await a.as(a.admin, { url: '/invoice?fields[customer]=name' })
  expectError(t, notIncluded, 400, 'INVALID_PAYLOAD')
  t.match(notIncluded.json().error.message, /fields\[customer\]/)
  const deep = await a.as(a.admin, { url: '/customer?include=invoices.items.product.product_items' })
  expectError(t, deep, 400, 'INVALID_PAYLOAD')
  t.match(deep.json().error.message, /include/)
  expectError(t, await a.as(a.admin, { url: '/invoice?include=items.prodcut' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { url: '/invoice?fields[]=x' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { url: '/invoice?fields=a&fields=b' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { url: `/invoice/${w.invoices.get('A1') ?? ''}?fields=nope` }), 400, 'UNKNOWN_FIELD')
})

t.test('permissions apply at every include level', async (t) => {
  const res = await a.as(w.member.token, { url: '/customer?include=invoices.items.product&per_page=100' })
  t.equal(res.statusCode, 200, res.body)
  const customers = res.json().data as Row[]
  t.same(customers.map((c) => c.name), ['Acme'], 'own customers only')
  const invoices = (customers[0] as Row).invoices as Row[]
  t.same(invoices.map((i) => i.number).sort(), ['A1', 'A2'])
  t.same(invoices.flatMap((i) => (i.items as Row[]).map((it) => it.product)), [null, null], 'products are hidden from the member')
  const items = await a.as(w.member.token, { url: '/item?include=invoice.customer&per_page=100' })
  const seen = (items.json().data as Row[]).map((it) => (it.invoice as Row | null)?.number ?? null).sort()
  t.same(seen, ['A1', 'A2', null], "the other user's invoice is not included")
})
