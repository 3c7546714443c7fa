import t from 'tap'
import type { Test } from 'tap'
import type { Sql } from '../../lib/db/connection.js'
import type { CompiledEntity } from '../../lib/metadata/compiled.js'
import { getRecord, listRecords, parseInclude, parseListQuery, type ReadDeps, type ReadExtra, type SqlFilter } from '../../lib/query/index.js'
import { stopTestServer } from '../db-helper.js'
import { failure } from '../fixtures/failure.js'
import { schemaDatabase } from '../fixtures/schema-database.js'

t.teardown(stopTestServer)

type Row = Record<string, unknown>

const ENTITIES = [
  { name: 'customer', table: 'customers', soft_delete: true, slug: { field: 'slug', source: 'name' }, fields: [{ name: 'name', type: 'string' }, { name: 'slug', type: 'string', unique: true }] },
  {
    name: 'order',
    table: 'orders',
    soft_delete: true,
    fields: [
      { name: 'number', type: 'string' }, { name: 'status', type: 'string' }, { name: 'note', type: 'text' }, { name: 'qty', type: 'int' },
      { name: 'big', type: 'bigint' }, { name: 'total', type: 'decimal', precision: 2 }, { name: 'paid', type: 'boolean' },
      { name: 'ref', type: 'uuid' }, { name: 'placed_at', type: 'timestamp' }, { name: 'due', type: 'date' }, { name: 'meta', type: 'json' },
      { name: 'attachment', type: 'file' }, { name: 'customer_id', type: 'uuid' }
    ]
  },
  { name: 'line', table: 'lines', primary_key: { field: 'id', type: 'int' }, fields: [{ name: 'id', type: 'int' }, { name: 'order_id', type: 'uuid' }, { name: 'sku', type: 'string' }] },
  { name: 'invoice', table: 'invoices', primary_key: { field: 'code', type: 'string' }, soft_delete: true, fields: [{ name: 'code', type: 'string' }, { name: 'order_id', type: 'uuid' }] },
  // validate-relation requires many_to_many keys of one type family, so tags use uuid keys too.
  { name: 'tag', table: 'tags', soft_delete: true, fields: [{ name: 'label', type: 'string' }] },
  { name: 'country', table: 'countries', primary_key: { field: 'iso', type: 'string' }, fields: [{ name: 'iso', type: 'string' }, { name: 'name', type: 'string' }] },
  { name: 'city', table: 'cities', primary_key: { field: 'id', type: 'bigint' }, fields: [{ name: 'id', type: 'bigint' }, { name: 'name', type: 'string' }, { name: 'country_iso', type: 'string' }] }
]
const RELATIONS = [
  { name: 'orders', type: 'one_to_many', source: 'customer', target: 'order', target_key: 'customer_id', inverse_name: 'customer' },
  { name: 'lines', type: 'one_to_many', source: 'order', target: 'line', inverse_name: 'order' },
  { name: 'invoice', type: 'one_to_one', source: 'order', target: 'invoice', inverse_name: 'order' },
  { name: 'tags', type: 'many_to_many', source: 'order', target: 'tag', join_table: 'order_tags', inverse_name: 'orders' },
  { name: 'cities', type: 'one_to_many', source: 'country', target: 'city', target_key: 'country_iso', inverse_name: 'country', fetch: 'eager' }
]

const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
const [C1, C2, C3, C4] = [uuid(101), uuid(102), uuid(103), uuid(104)]
const [O1, O2, O3, O4, O5] = [uuid(1), uuid(2), uuid(3), uuid(4), uuid(5)]
const [R1, R2, R3] = [uuid(901), uuid(902), uuid(903)]
const [T1, T2, T3] = [uuid(201), uuid(202), uuid(203)]

const DATA = `
INSERT INTO customers (id, name, slug, deleted_at) VALUES
  ('${C1}', 'Acme', 'acme', NULL), ('${C2}', 'Globex', 'globex', NULL), ('${C3}', 'Initech', 'initech', now()), ('${C4}', 'Umbrella', 'umbrella', NULL);
INSERT INTO orders (id, number, status, note, qty, big, total, paid, ref, placed_at, due, meta, customer_id, deleted_at) VALUES
  ('${O1}', 'A-1', 'paid', 'urgent delivery', 5, 9007199254740993, 10.50, true, '${R1}', '2024-01-01T10:00:00Z', '2024-02-01', '{"a": 1}', '${C1}', NULL),
  ('${O2}', 'A-2', 'draft', 'Call first', 1, 1, 99.99, false, NULL, '2024-01-02T10:00:00Z', '2024-02-15', NULL, '${C1}', NULL),
  ('${O3}', 'A-3', 'sent', NULL, 10, -5, 0.01, false, '${R2}', '2024-01-03T10:00:00Z', NULL, NULL, '${C2}', NULL),
  ('${O4}', 'A-4', 'paid', 'URGENT', 7, 100, 1000, true, '${R3}', '2024-01-04T10:00:00Z', '2024-03-01', NULL, '${C3}', NULL),
  ('${O5}', 'A-5', 'void', 'gone', 3, 2, 5, false, NULL, '2024-01-05T10:00:00Z', NULL, NULL, '${C1}', now());
INSERT INTO lines (id, order_id, sku) VALUES (2, '${O1}', 'Y'), (1, '${O1}', 'X'), (3, '${O3}', 'Z'), (4, '${O5}', 'W');
INSERT INTO invoices (code, order_id, deleted_at) VALUES ('INV-1', '${O1}', NULL), ('INV-2', '${O2}', now());
INSERT INTO tags (id, label, deleted_at) VALUES ('${T1}', 'red', NULL), ('${T2}', 'blue', NULL), ('${T3}', 'green', now());
INSERT INTO order_tags (order_id, tag_id) VALUES ('${O1}', '${T2}'), ('${O1}', '${T1}'), ('${O1}', '${T3}'), ('${O2}', '${T2}'), ('${O5}', '${T2}');
INSERT INTO countries (iso, name) VALUES ('FR', 'France'), ('DE', 'Germany');
INSERT INTO cities (id, name, country_iso) VALUES (2, 'Paris', 'FR'), (1, 'Lyon', 'FR');
`

interface Fixture {
  deps: ReadDeps
  /** Number of statements sent through `deps.sql` so far. */
  queries: () => number
  entity: (name: string) => CompiledEntity
}

/** Counts statements (to prove includes cost one query per edge) while passing them through. */
function counting (sql: Sql): { sql: Sql, count: () => number } {
  let n = 0
  const proxy = new Proxy(sql, {
    get (target, prop, receiver) {
      if (prop === 'unsafe') return (...args: Parameters<Sql['unsafe']>) => { n++; return target.unsafe(...args) }
      return Reflect.get(target, prop, receiver) as unknown
    }
  })
  return { sql: proxy, count: () => n }
}

async function setup (t: Test): Promise<Fixture> {
  const db = await schemaDatabase(t, { entities: ENTITIES, relations: RELATIONS })
  await db.sql.unsafe(DATA).simple()
  const counted = counting(db.sql)
  return { deps: { sql: counted.sql, registry: db.registry }, queries: counted.count, entity: db.entity }
}

t.test('read path against PostgreSQL', async (t) => {
  const fx = await setup(t)
  const order = fx.entity('order')
  const list = async (entity: CompiledEntity, query: Record<string, string>, extra?: ReadExtra) =>
    await listRecords(fx.deps, entity, parseListQuery(entity, query), extra)
  const numbers = async (query: Record<string, string>, extra?: ReadExtra) => (await list(order, query, extra)).rows.map((r) => r.number)

  t.test('filters of every type and operator', async (t) => {
    const cases: Array<[Record<string, string>, string[]]> = [
      [{}, ['A-1', 'A-2', 'A-3', 'A-4']],
      [{ 'filter[status]': 'paid' }, ['A-1', 'A-4']],
      [{ 'filter[status.neq]': 'paid' }, ['A-2', 'A-3']],
      [{ 'filter[qty.gt]': '5' }, ['A-3', 'A-4']],
      [{ 'filter[qty.gte]': '5' }, ['A-1', 'A-3', 'A-4']],
      [{ 'filter[qty.lt]': '5' }, ['A-2']],
      [{ 'filter[qty.lte]': '5' }, ['A-1', 'A-2']],
      [{ 'filter[total.gte]': '10.5' }, ['A-1', 'A-2', 'A-4']],
      [{ 'filter[total.lt]': '1' }, ['A-3']],
      [{ 'filter[total]': '1000' }, ['A-4']],
      [{ 'filter[big.gt]': '9007199254740992' }, ['A-1']],
      [{ 'filter[big.lt]': '0' }, ['A-3']],
      [{ 'filter[paid]': 'true' }, ['A-1', 'A-4']],
      [{ 'filter[paid.neq]': 'true' }, ['A-2', 'A-3']],
      [{ 'filter[ref]': R2.toUpperCase() }, ['A-3']],
      [{ 'filter[ref.is_null]': 'true' }, ['A-2']],
      [{ 'filter[ref.is_null]': 'false' }, ['A-1', 'A-3', 'A-4']],
      [{ 'filter[placed_at.gte]': '2024-01-03' }, ['A-3', 'A-4']],
      [{ 'filter[placed_at.lt]': '2024-01-02T10:00:00Z' }, ['A-1']],
      [{ 'filter[placed_at]': '2024-01-02T11:00:00+01:00' }, ['A-2']],
      [{ 'filter[due]': '2024-02-15' }, ['A-2']],
      [{ 'filter[due.gt]': '2024-02-01' }, ['A-2', 'A-4']],
      [{ 'filter[due.is_null]': 'true' }, ['A-3']],
      [{ 'filter[status.in]': 'draft,sent' }, ['A-2', 'A-3']],
      [{ 'filter[status.not_in]': 'paid,void' }, ['A-2', 'A-3']],
      [{ 'filter[status.in]': '' }, []],
      [{ 'filter[status.not_in]': '' }, ['A-1', 'A-2', 'A-3', 'A-4']],
      [{ 'filter[qty.in]': '1,10' }, ['A-2', 'A-3']],
      [{ 'filter[qty.not_in]': '1,10' }, ['A-1', 'A-4']],
      [{ 'filter[total.in]': '10.5,0.01' }, ['A-1', 'A-3']],
      [{ 'filter[big.in]': '1,100,9007199254740993' }, ['A-1', 'A-2', 'A-4']],
      [{ 'filter[ref.in]': `${R1},${R3}` }, ['A-1', 'A-4']],
      [{ 'filter[ref.not_in]': R1 }, ['A-3', 'A-4']],
      [{ 'filter[due.in]': '2024-02-01,2024-03-01' }, ['A-1', 'A-4']],
      [{ 'filter[placed_at.in]': '2024-01-01T10:00:00Z,2024-01-04T10:00:00.000Z' }, ['A-1', 'A-4']],
      [{ 'filter[paid.in]': 'true' }, ['A-1', 'A-4']],
      [{ 'filter[paid.not_in]': 'true' }, ['A-2', 'A-3']],
      [{ 'filter[paid.in]': 'true,false' }, ['A-1', 'A-2', 'A-3', 'A-4']],
      [{ 'filter[note.like]': '%urgent%' }, ['A-1']],
      [{ 'filter[note.ilike]': '%urgent%' }, ['A-1', 'A-4']],
      [{ 'filter[number.like]': 'A-_' }, ['A-1', 'A-2', 'A-3', 'A-4']],
      [{ 'filter[note.like]': 'Call\\ first' }, ['A-2']],
      [{ 'filter[meta.is_null]': 'false' }, ['A-1']],
      [{ 'filter[customer_id]': C1 }, ['A-1', 'A-2']],
      [{ 'filter[status]': 'paid', 'filter[qty.gt]': '5' }, ['A-4']],
      [{ 'filter[status]': 'void' }, []],
      [{ 'filter[deleted_at.is_null]': 'false' }, []]
    ]
    for (const [query, expected] of cases) t.same(await numbers(query), expected, JSON.stringify(query))
  })

  t.test('rows carry exactly the fields, typed as the API returns them', async (t) => {
    const { rows, total } = await list(order, { 'filter[number]': 'A-1' })
    t.equal(total, 1)
    t.same(rows, [{
      id: O1,
      number: 'A-1',
      status: 'paid',
      note: 'urgent delivery',
      qty: 5,
      big: '9007199254740993',
      total: '10.50',
      paid: true,
      ref: R1,
      placed_at: new Date('2024-01-01T10:00:00Z'),
      due: '2024-02-01',
      meta: { a: 1 },
      attachment: null,
      customer_id: C1,
      deleted_at: null
    }])
    t.strictSame(Object.keys(rows[0]!), order.fieldList.map((f) => f.name), 'no extra columns (the total stays out)')
  })

  t.test('sort', async (t) => {
    t.same(await numbers({ sort: '-qty' }), ['A-3', 'A-4', 'A-1', 'A-2'])
    t.same(await numbers({ sort: 'paid,-total' }), ['A-2', 'A-3', 'A-4', 'A-1'])
    t.same(await numbers({ sort: 'due' }), ['A-1', 'A-2', 'A-4', 'A-3'], 'nulls last ascending')
    t.same(await numbers({ sort: '-due' }), ['A-3', 'A-4', 'A-2', 'A-1'], 'nulls first descending')
    t.same(await numbers({ sort: 'status' }), ['A-2', 'A-1', 'A-4', 'A-3'], 'ties broken by primary key')
    t.same(await numbers({ sort: '-status' }), ['A-3', 'A-1', 'A-4', 'A-2'], 'tie-breaker stays ascending')
  })

  t.test('paging and totals', async (t) => {
    const page = async (query: Record<string, string>) => {
      const r = await list(order, query)
      return [r.rows.map((x) => x.number), r.total]
    }
    t.same(await page({ per_page: '2' }), [['A-1', 'A-2'], 4])
    t.same(await page({ per_page: '2', page: '2' }), [['A-3', 'A-4'], 4])
    t.same(await page({ per_page: '2', page: '3' }), [[], 4], 'just beyond the end')
    t.same(await page({ per_page: '3', page: '99' }), [[], 4], 'far beyond the end')
    t.same(await page({ 'filter[status]': 'paid', per_page: '1', page: '2' }), [['A-4'], 2])
    t.same(await page({ 'filter[status]': 'paid', per_page: '1', page: '5' }), [[], 2])
    t.same(await page({ 'filter[status]': 'nope' }), [[], 0])
    t.same(await page({ sort: '-qty', per_page: '3', page: '2' }), [['A-2'], 4])
  })

  t.test('extra where conditions (row-level permissions)', async (t) => {
    const mine: SqlFilter[] = [{ field: order.fields.get('customer_id')!, op: 'eq', value: C1 }]
    t.same(await numbers({}, { where: mine }), ['A-1', 'A-2'])
    t.same(await numbers({ 'filter[status]': 'paid' }, { where: mine }), ['A-1'])
    const r = await list(order, { per_page: '1', page: '3' }, { where: mine })
    t.same([r.rows, r.total], [[], 2], 'total counts with the permission conditions')
    t.equal(await getRecord(fx.deps, order, O3, [], { where: mine }), null, 'a hidden record is not found')
    t.equal((await getRecord(fx.deps, order, O2, [], { where: mine }))?.number, 'A-2')
  })

  t.test('getRecord by id and slug', async (t) => {
    const customer = fx.entity('customer')
    t.equal((await getRecord(fx.deps, order, O1, []))?.number, 'A-1')
    t.equal((await getRecord(fx.deps, order, O1.toUpperCase(), []))?.number, 'A-1', 'uuid case-insensitive')
    t.equal(await getRecord(fx.deps, order, O5, []), null, 'soft-deleted')
    t.equal(await getRecord(fx.deps, order, uuid(77), []), null, 'absent')
    t.equal((await getRecord(fx.deps, customer, 'acme', []))?.id, C1, 'by slug')
    t.equal((await getRecord(fx.deps, customer, C2, []))?.slug, 'globex', 'by id when a slug exists')
    t.equal(await getRecord(fx.deps, customer, 'initech', []), null, 'soft-deleted by slug')
    t.equal(await getRecord(fx.deps, customer, 'nope', []), null)
    t.equal((await getRecord(fx.deps, fx.entity('line'), '3', []))?.sku, 'Z', 'int pk')
    t.equal((await getRecord(fx.deps, fx.entity('city'), '2', []))?.name, 'Paris', 'bigint pk')
    t.equal((await getRecord(fx.deps, fx.entity('invoice'), 'INV-1', []))?.order_id, O1, 'string pk')
    t.equal(await getRecord(fx.deps, fx.entity('invoice'), 'INV-2', []), null)
    const malformed: Array<[string, string]> = [['order', 'not-a-uuid'], ['order', '12'], ['line', 'abc'], ['line', '99999999999'],
      ['line', '1.5'], ['city', '99999999999999999999'], ['city', '9223372036854775808'], ['invoice', 'a\u0000b'], ['customer', 'x\u0000']]
    for (const [name, id] of malformed) {
      const err = await failure(getRecord(fx.deps, fx.entity(name), id, []))
      t.same([err.code, err.statusCode], ['INVALID_PAYLOAD', 400], `${name} ${JSON.stringify(id)}`)
    }
  })

  t.test('includes: has_many, belongs_to, has_one, many_to_many both ways', async (t) => {
    const customer = fx.entity('customer')
    const before = fx.queries()
    const customers = await list(customer, { include: 'orders' })
    t.equal(fx.queries() - before, 2, 'one query for the page, one for the edge')
    t.same(customers.rows.map((c) => [c.name, (c.orders as Row[]).map((o) => o.number)]),
      [['Acme', ['A-1', 'A-2']], ['Globex', ['A-3']], ['Umbrella', []]], 'has_many, soft-deleted children and parents hidden')
    t.strictSame(Object.keys((customers.rows[0]!.orders as Row[])[0]!), order.fieldList.map((f) => f.name), "the target's own fields only")

    const n0 = fx.queries()
    const orders = await list(order, { include: 'customer,lines,invoice,tags' })
    t.equal(fx.queries() - n0, 5, 'one query per edge, never per row')
    const view = orders.rows.map((o) => [
      o.number,
      (o.customer as Row | null)?.name ?? null,
      (o.lines as Row[]).map((l) => l.id),
      (o.invoice as Row | null)?.code ?? null,
      (o.tags as Row[]).map((g) => g.label)
    ])
    t.same(view, [
      ['A-1', 'Acme', [1, 2], 'INV-1', ['red', 'blue']],
      ['A-2', 'Acme', [], null, ['blue']],
      ['A-3', 'Globex', [3], null, []],
      ['A-4', null, [], null, []]
    ], 'belongs_to to a soft-deleted parent is null; has_one to a soft-deleted child is null')
    t.same((orders.rows[0]!.tags as Row[])[0], { id: T1, label: 'red', deleted_at: null }, 'join rows carry no parent key column')
    t.same(orders.rows[0]!.invoice, { code: 'INV-1', order_id: O1, deleted_at: null })

    const tags = await list(fx.entity('tag'), { include: 'orders' })
    t.same(tags.rows.map((g) => [g.label, (g.orders as Row[]).map((o) => o.number)]), [['red', ['A-1']], ['blue', ['A-1', 'A-2']]],
      'many_to_many inverse, soft-deleted orders excluded')
    const line = await getRecord(fx.deps, fx.entity('line'), '3', parseInclude(fx.entity('line'), 'order'))
    t.equal((line?.order as Row).number, 'A-3', 'belongs_to on getRecord')
    const invoice = await getRecord(fx.deps, fx.entity('invoice'), 'INV-1', parseInclude(fx.entity('invoice'), 'order'))
    t.equal((invoice?.order as Row).id, O1, 'inverse of has_one')
    const acme = await getRecord(fx.deps, customer, 'acme', parseInclude(customer, 'orders'))
    t.same((acme?.orders as Row[]).map((o) => o.number), ['A-1', 'A-2'])
    const empty = await list(order, { 'filter[status]': 'void', include: 'tags' })
    t.same(empty.rows, [], 'no include query for an empty page')
  })

  t.test('include conditions for the target entity', async (t) => {
    const customer = fx.entity('customer')
    const paidOnly = (name: string): SqlFilter[] => name === 'order' ? [{ field: order.fields.get('status')!, op: 'eq', value: 'paid' }] : []
    const r = await list(customer, { include: 'orders' }, { includeWhere: paidOnly })
    t.same(r.rows.map((c) => (c.orders as Row[]).map((o) => o.number)), [['A-1'], [], []])
    const tag = fx.entity('tag')
    const noneOf = (): SqlFilter[] => [{ field: order.pk, op: 'in', value: [] }]
    const tags = await list(tag, { include: 'orders' }, { includeWhere: noneOf })
    t.same(tags.rows.map((g) => g.orders), [[], []], 'a match-nothing condition hides an included entity')
    const redOnly = (name: string): SqlFilter[] => name === 'tag' ? [{ field: tag.fields.get('label')!, op: 'in', value: ['red'] }] : []
    const o1 = await getRecord(fx.deps, order, O1, parseInclude(order, 'tags'), { includeWhere: redOnly })
    t.same((o1?.tags as Row[]).map((g) => g.label), ['red'], 'conditions on many_to_many targets')
  })

  t.test('eager relations are always included', async (t) => {
    const country = fx.entity('country')
    const r = await list(country, {})
    t.same(r.rows, [
      { iso: 'DE', name: 'Germany', cities: [] },
      { iso: 'FR', name: 'France', cities: [{ id: '1', name: 'Lyon', country_iso: 'FR' }, { id: '2', name: 'Paris', country_iso: 'FR' }] }
    ])
    const fr = await getRecord(fx.deps, country, 'FR', [])
    t.same((fr?.cities as Row[]).map((c) => c.name), ['Lyon', 'Paris'])
    const city = await getRecord(fx.deps, fx.entity('city'), '2', [])
    t.equal(city?.country, undefined, 'the inverse of an eager relation is lazy')
  })
})
