import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { queryWorld, type QueryWorld, type Row } from './query-fixtures.js'

let a: TestApp
let w: QueryWorld

t.before(async () => {
  const app = await build(t)
  a = await createTestApp(app, 'qa')
  w = await queryWorld(t, a)
})

async function agg (token: string, qs: string): Promise<{ data: Row[], meta: Row }> {
  const res = await a.as(token, { url: `/invoice/_aggregate?${qs}` })
  if (res.statusCode !== 200) throw new Error(`${qs}: ${res.statusCode} ${res.body}`)
  return res.json()
}

t.test('group_by with count, sum, avg, min, max', async (t) => {
  const res = await agg(a.admin, 'group_by=status&count=*&sum=total&avg=total&min=number&max=total')
  t.same(res.meta, { groups: 4 })
  t.same(res.data[1], { status: 'paid', count: 2, sum: { total: '650.00' }, avg: { total: '325.0000000000000000' }, min: { number: 'A1' }, max: { total: '500.00' } })
  t.same(res.data.map((g) => g.status), ['draft', 'paid', 'sent', 'void'], 'ordered by the group fields')
  const total = await agg(a.admin, 'sum=total')
  t.same(total.data, [{ sum: { total: '755.00' } }], 'no group_by: one row')
  t.same((await agg(a.admin, '')).data, [{ count: 5 }], 'count by default')
  const sorted = await agg(a.admin, 'group_by=status&count=*&sum=total&sort=-sum.total&limit=2')
  t.same(sorted.data.map((g) => g.status), ['paid', 'sent'])
  const pairs = await agg(a.admin, 'group_by=status,customer_id&count=*&sort=-count,status')
  t.same(pairs.data.map((g) => [g.status, g.count]), [['draft', 1], ['paid', 1], ['paid', 1], ['sent', 1], ['void', 1]], 'two group fields')
  const summedInt = await a.as(a.admin, { url: '/item/_aggregate?sum=quantity&avg=quantity' })
  t.same(summedInt.json().data, [{ sum: { quantity: '18' }, avg: { quantity: '6.0000000000000000' } }], 'int sums as text')
})

t.test('filters, relation filters and search apply', async (t) => {
  t.same((await agg(a.admin, 'group_by=status&filter[or][0][status]=paid&filter[or][1][status]=void')).data.map((g) => g.status), ['paid', 'void'])
  t.same((await agg(a.admin, 'count=*&filter[customer.status]=active')).data, [{ count: 2 }])
  t.same((await agg(a.admin, 'sum=total&filter[items.quantity.gt]=5')).data, [{ sum: { total: '520.00' } }])
})

t.test('read permissions filter the aggregated rows', async (t) => {
  t.same((await agg(w.member.token, 'count=*&sum=total')).data, [{ count: 3, sum: { total: '250.00' } }])
  t.same((await agg(w.member.token, 'group_by=status&filter[or][0][status]=paid&filter[or][1][status]=void')).data, [{ status: 'paid', count: 1 }])
  t.same((await agg(w.member.token, 'count=*&filter[items.product.name]=widget')).data, [{ count: 0 }], 'hidden products cannot be probed')
  expectError(t, await a.as(w.member.token, { url: '/product/_aggregate' }), 403, 'FORBIDDEN')
})

t.test('fields named like the aggregates (count, sum, a0) group, sum and sort without ambiguity; a key clash is 400', async (t) => {
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'tally', fields: [{ name: 'count', type: 'int' }, { name: 'sum', type: 'int' }, { name: 'a0', type: 'int' }, { name: 'g', type: 'string' }] } })
  t.equal(created.statusCode, 201, created.body)
  for (const n of [5, 7, 7]) t.equal((await a.as(a.admin, { method: 'POST', url: '/tally', payload: { count: n, sum: n, a0: n, g: 'x' } })).statusCode, 201)
  const get = async (qs: string): Promise<Row[]> => {
    const res = await a.as(a.admin, { url: `/tally/_aggregate?${qs}` })
    t.equal(res.statusCode, 200, `${qs}: ${res.body}`)
    return res.json().data
  }
  t.same(await get('group_by=a0&sum=a0'), [{ a0: 5, sum: { a0: '5' } }, { a0: 7, sum: { a0: '14' } }])
  t.same(await get('group_by=a0&sum=count&sort=-sum.count'), [{ a0: 7, sum: { count: '14' } }, { a0: 5, sum: { count: '5' } }])
  t.same(await get('group_by=count&max=a0'), [{ count: 5, max: { a0: 5 } }, { count: 7, max: { a0: 7 } }], 'a field named count groups when count is not asked for')
  t.same(await get('group_by=g&count=*&sort=-count'), [{ g: 'x', count: 3 }])
  for (const qs of ['group_by=count&count=*', 'group_by=count', 'group_by=sum&sum=a0']) {
    const err = expectError(t, await a.as(a.admin, { url: `/tally/_aggregate?${qs}` }), 400, 'INVALID_PAYLOAD')
    t.match(err.details, [{ field: 'group_by', message: /key holds that aggregate/ }], qs)
  }
})

t.test('malformed aggregate parameters are 400 naming them', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['group_by=stauts', 'UNKNOWN_FIELD', 'group_by'],
    ['sum=status', 'INVALID_PAYLOAD', "'sum'"],
    ['avg=nope', 'UNKNOWN_FIELD', 'avg'],
    ['count=total', 'INVALID_PAYLOAD', "'count'"],
    ['group_by=status&sort=total', 'INVALID_PAYLOAD', "'sort'"],
    ['limit=0', 'INVALID_PAYLOAD', "'limit'"],
    ['limit=1001', 'INVALID_PAYLOAD', "'limit'"],
    ['having=1', 'INVALID_PAYLOAD', "'having'"],
    ['filter[or]=x', 'INVALID_PAYLOAD', 'filter[or]'],
    ['search=x', 'INVALID_PAYLOAD', "'search'"],
    ['sum=total&sum=total', 'INVALID_PAYLOAD', "'sum'"]
  ]
  for (const [qs, code, word] of cases) {
    const res = await a.as(a.admin, { url: `/invoice/_aggregate?${qs}` })
    expectError(t, res, 400, code)
    t.ok(res.json().error.message.includes(word), `${qs}: ${res.json().error.message}`)
  }
})

t.test('the OpenAPI document describes the query parameters and routes', async (t) => {
  const doc = (await a.as(a.admin, { url: '/_openapi.json' })).json()
  const list = doc.paths['/invoice'].get
  const names = (list.parameters as Array<{ name: string }>).map((p) => p.name)
  for (const n of ['fields', 'count', 'cursor', 'paginate', 'include', 'sort']) t.ok(names.includes(n), `list documents ${n}`)
  t.match(list.description, /filter\[or\]/)
  t.match(list.description, /filter\[customer\.status\]/)
  t.match(doc.paths['/invoice'].post.description, /array of up to 1,000/)
  const agg = doc.paths['/invoice/_aggregate'].get
  t.same((agg.parameters as Array<{ name: string }>).filter((p) => ['group_by', 'sum', 'avg', 'min', 'max', 'count', 'limit'].includes(p.name)).length, 7)
  const get = doc.paths['/invoice/{id}'].get
  t.ok((get.parameters as Array<{ name: string }>).some((p) => p.name === 'If-None-Match'))
  t.ok(get.responses['304'])
  t.ok(doc.paths['/invoice/{id}'].put.responses['412'])
  t.ok((doc.paths['/invoice/{id}'].delete.parameters as Array<{ name: string }>).some((p) => p.name === 'If-Match'))
  t.match(doc.paths['/_batch'].post.description, /operations/)
  t.notOk(doc.paths['/{entity}/_aggregate'], 'not listed generically')
})
