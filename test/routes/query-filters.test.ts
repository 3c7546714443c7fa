import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { numbers, queryWorld, type QueryWorld } from './query-fixtures.js'

let a: TestApp
let w: QueryWorld

t.before(async () => {
  const app = await build(t)
  a = await createTestApp(app, 'qf')
  w = await queryWorld(t, a)
})

async function list (token: string, qs: string): Promise<string[]> {
  const res = await a.as(token, { url: `/invoice?${qs}&per_page=100` })
  if (res.statusCode !== 200) throw new Error(`${qs}: ${res.statusCode} ${res.body}`)
  return numbers(res.json())
}

t.test('boolean groups: or, and, not, nested, mixed with plain filters', async (t) => {
  t.same(await list(a.admin, 'filter[or][0][status]=paid&filter[or][1][total.gte]=80'), ['A1', 'A3', 'B1'], 'or')
  t.same(await list(a.admin, 'filter[or][0][status]=paid&filter[or][1][status]=draft&filter[total.lt]=100'), ['A2'], 'or ANDed with a top-level filter')
  t.same(await list(a.admin, 'filter[not][status.in]=void,draft'), ['A1', 'A3', 'B1'], 'not')
  t.same(await list(a.admin, 'filter[not][note]=x'), ['A1', 'A2', 'A3', 'B1', 'B2'], 'not keeps rows whose value is null')
  t.same(await list(a.admin, 'filter[and][0][status]=paid&filter[and][1][total.lt]=200'), ['A1'], 'and')
  t.same(await list(a.admin, 'filter[or][0][and][0][status]=paid&filter[or][0][and][1][total.gt]=200&filter[or][1][number]=A2'), ['A2', 'B1'], 'and inside or')
  t.same(await list(a.admin, 'filter[or][0][not][or][0][and][0][status]=paid'), ['A2', 'A3', 'B2'], 'depth 4')
  t.same(await list(a.admin, 'filter[or][0][status]=paid&filter[or][0][total.gt]=200&filter[or][1][status]=void'), ['B1', 'B2'], 'several filters in one member AND')
})

t.test('malformed groups are 400 naming the parameter', async (t) => {
  const cases: Array<[string, string]> = [
    ['filter[or]=paid', 'filter[or]'],
    ['filter[or][x][status]=paid', 'filter[or][x]'],
    ['filter[or][0]=paid', 'filter[or][0]'],
    ['filter[not]=paid', 'filter[not]'],
    ['filter[or][0][or][0][or][0][or][0][or][0][status]=paid', 'filter'],
    ['filter[status][eq]=paid', 'filter[status]'],
    ['filter[]=x', 'filter[]'],
    ['filter[or][0][]=x', 'filter[or][0][]'],
    ['filter[or]x=1', 'filter[or]x']
  ]
  for (const [qs, param] of cases) {
    const res = await a.as(a.admin, { url: `/invoice?${qs}` })
    expectError(t, res, 400, 'INVALID_PAYLOAD')
    t.ok(res.json().error.message.includes(param), `${qs} names ${param}: ${res.json().error.message}`)
  }
  const unknown = await a.as(a.admin, { url: '/invoice?filter[or][0][stauts]=paid' })
  expectError(t, unknown, 400, 'UNKNOWN_FIELD')
  t.match(unknown.json().error.message, /filter\[or\]\[0\].*did you mean 'status'/)
  expectError(t, await a.as(a.admin, { url: '/invoice?filter[or][0][total.gte]=abc' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { url: '/invoice?filter[or][0][status]=a&filter[or][0][status]=b' }), 400, 'INVALID_PAYLOAD')
})

t.test('relation filters: to-one, to-many, several hops', async (t) => {
  t.same(await list(a.admin, 'filter[customer.status]=active'), ['A1', 'A2'], 'to-one')
  t.same(await list(a.admin, 'filter[customer.name.ilike]=b%25'), ['B1', 'B2'], 'to-one with operator')
  t.same(await list(a.admin, 'filter[items.quantity.gt]=5'), ['A2', 'B1'], 'to-many: any child matches')
  t.same(await list(a.admin, 'filter[items.product.name]=widget'), ['A1', 'B1'], 'two hops')
  t.same(await list(a.admin, 'filter[customer.invoices.items.quantity]=7'), ['B1', 'B2'], 'three hops')
  t.same(await list(a.admin, 'filter[or][0][customer.status]=inactive&filter[or][1][items.quantity]=2'), ['A1', 'B1', 'B2'], 'inside an or group')
  t.same(await list(a.admin, 'filter[not][items.quantity.gte]=0'), ['A3', 'B2'], 'not: no child at all')
  const customers = await a.as(a.admin, { url: '/customer?filter[invoices.status]=void' })
  t.same(customers.json().data.map((r: { name: string }) => r.name), ['Bolt'], 'from the other side')
  const fourHops = await a.as(a.admin, { url: '/item?filter[invoice.customer.invoices.items.quantity]=1' })
  expectError(t, fourHops, 400, 'INVALID_PAYLOAD')
  t.match(fourHops.json().error.message, /filter\[invoice\.customer\.invoices\.items\.quantity\]/)
  expectError(t, await a.as(a.admin, { url: '/invoice?filter[customer.nmae]=x' }), 400, 'UNKNOWN_FIELD')
  expectError(t, await a.as(a.admin, { url: '/invoice?filter[customer]=x' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(a.admin, { url: '/invoice?filter[customer.status.bogus]=x' }), 400, 'INVALID_PAYLOAD')
})

t.test('permissions: own rows only through groups and relation filters; hidden entities cannot be probed', async (t) => {
  const m = w.member.token
  t.same(await list(m, 'filter[or][0][status]=paid&filter[or][1][status]=void'), ['A1'], 'or group does not widen the read condition')
  t.same(await list(m, 'filter[not][status]=paid'), ['A2', 'A3'])
  t.same(await list(w.other.token, 'filter[or][0][status]=paid&filter[or][1][status]=void'), ['B1', 'B2'])
  t.same(await list(m, 'filter[items.quantity.gt]=0'), ['A1', 'A2'])
  // The member cannot read products at all: a filter on them matches nothing, whatever the value.
  t.same(await list(m, 'filter[items.product.secret_code]=widget-secret'), [], 'hidden product cannot be probed')
  t.same(await list(m, 'filter[items.product.secret_code.neq]=nothing'), [], 'not even by negation')
  t.same(await list(a.admin, 'filter[items.product.secret_code]=widget-secret'), ['A1', 'B1'], 'the admin can')
  // Items are readable, but their invoices only when owned: the other user's customer is invisible.
  const items = await a.as(m, { url: '/item?filter[invoice.customer.name]=Bolt' })
  t.same(items.json().data, [], 'related rows outside the read condition do not match')
  const mine = await a.as(m, { url: '/item?filter[invoice.customer.name]=Acme' })
  t.equal(mine.json().data.length, 2)
})
