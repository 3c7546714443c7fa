import t from 'tap'
import type { Test } from 'tap'
import type { ApiError } from '../../lib/errors.js'
import { buildRegistry } from '../../lib/metadata/registry.js'
import type { RelationDef } from '../../lib/metadata/types.js'
import { validateEntityDef } from '../../lib/metadata/validate-entity.js'
import { validateRelationDef } from '../../lib/metadata/validate-relation.js'
import {
  buildGetSql, buildListSql, buildPageWithTotalSql, filterFromCondition, parseGetQuery, parseListQuery
} from '../../lib/query/index.js'
import { arrayTypeOf } from '../../lib/query/sql.js'
import type { SqlFilter } from '../../lib/query/types.js'

const entityDefs = [
  {
    name: 'order',
    table: 'orders',
    soft_delete: true,
    fields: [
      { name: 'status', type: 'string' }, { name: 'note', type: 'text' }, { name: 'qty', type: 'int' },
      { name: 'big', type: 'bigint' }, { name: 'total', type: 'decimal', precision: 2 }, { name: 'paid', type: 'boolean' },
      { name: 'ref', type: 'uuid' }, { name: 'placed_at', type: 'timestamp' }, { name: 'due', type: 'date' },
      { name: 'meta', type: 'json' }, { name: 'attachment', type: 'file' }, { name: 'customer_id', type: 'uuid' }
    ]
  },
  { name: 'customer', table: 'customers', fields: [{ name: 'name', type: 'string' }] },
  { name: 'tag', table: 'tags', fields: [{ name: 'label', type: 'string' }] }
].map((e) => validateEntityDef(e))
const byName = new Map(entityDefs.map((e) => [e.name, e]))
const relationDefs: RelationDef[] = []
for (const r of [
  { name: 'orders', type: 'one_to_many', source: 'customer', target: 'order', target_key: 'customer_id', inverse_name: 'customer' },
  { name: 'tags', type: 'many_to_many', source: 'order', target: 'tag', join_table: 'order_tags', inverse_name: 'orders' }
]) relationDefs.push(validateRelationDef(r, byName, relationDefs))
const registry = buildRegistry(entityDefs, relationDefs, 1)
const order = registry.entities.get('order')!
const field = (name: string) => order.fields.get(name)!

/** Runs fn, expecting an ApiError with the given code; returns it for further checks. */
function expectError (tt: Test, fn: () => unknown, code: string, status: number): ApiError {
  try {
    fn()
  } catch (err) {
    const e = err as ApiError
    tt.equal(e.code, code, `code ${code}`)
    tt.equal(e.statusCode, status, `status ${status}`)
    return e
  }
  tt.fail(`expected ${code}`)
  return new Error('not thrown') as ApiError
}

t.test('filter operators and conversions', async (t) => {
  const cases: Array<[Record<string, string>, string, string, unknown]> = [
    [{ 'filter[status]': 'paid' }, 'status', 'eq', 'paid'],
    [{ 'filter[status.eq]': 'paid' }, 'status', 'eq', 'paid'],
    [{ 'filter[status.neq]': 'void' }, 'status', 'neq', 'void'],
    [{ 'filter[qty.gt]': '5' }, 'qty', 'gt', 5],
    [{ 'filter[qty.gte]': '-5' }, 'qty', 'gte', -5],
    [{ 'filter[total.lt]': '10.50' }, 'total', 'lt', '10.50'],
    [{ 'filter[big.lte]': '9007199254740993' }, 'big', 'lte', '9007199254740993'],
    [{ 'filter[big]': '-9223372036854775808' }, 'big', 'eq', '-9223372036854775808'],
    [{ 'filter[total]': '1e100' }, 'total', 'eq', '1e100'],
    [{ 'filter[due]': '9999-12-31' }, 'due', 'eq', '9999-12-31'],
    [{ 'filter[status.in]': 'draft,sent' }, 'status', 'in', ['draft', 'sent']],
    [{ 'filter[qty.not_in]': '1,2,3' }, 'qty', 'not_in', [1, 2, 3]],
    [{ 'filter[status.in]': '' }, 'status', 'in', []],
    [{ 'filter[note.like]': '%urgent%' }, 'note', 'like', '%urgent%'],
    [{ 'filter[status.ilike]': 'PA%' }, 'status', 'ilike', 'PA%'],
    [{ 'filter[note.like]': 'a\\\\' }, 'note', 'like', 'a\\\\'],
    [{ 'filter[ref.is_null]': 'true' }, 'ref', 'is_null', true],
    [{ 'filter[meta.is_null]': 'false' }, 'meta', 'is_null', false],
    [{ 'filter[attachment.is_null]': '1' }, 'attachment', 'is_null', true],
    [{ 'filter[paid]': 'true' }, 'paid', 'eq', true],
    [{ 'filter[paid.neq]': 'no' }, 'paid', 'neq', false],
    [{ 'filter[paid.in]': 'true,false' }, 'paid', 'in', [true, false]],
    [{ 'filter[ref]': 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11' }, 'ref', 'eq', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    [{ 'filter[ref.gt]': '00000000-0000-0000-0000-000000000000' }, 'ref', 'gt', '00000000-0000-0000-0000-000000000000'],
    [{ 'filter[placed_at.gte]': '2024-01-02' }, 'placed_at', 'gte', '2024-01-02T00:00:00.000Z'],
    [{ 'filter[placed_at.lt]': '2024-01-02T10:00:00+02:00' }, 'placed_at', 'lt', '2024-01-02T08:00:00.000Z'],
    [{ 'filter[due]': '2024-02-29' }, 'due', 'eq', '2024-02-29'],
    [{ 'filter[total.in]': '1,2.5,-3' }, 'total', 'in', ['1', '2.5', '-3']]
  ]
  for (const [query, name, op, value] of cases) {
    const filters = parseListQuery(order, query).filters as SqlFilter[]
    t.equal(filters.length, 1, JSON.stringify(query))
    t.equal(filters[0]?.field, field(name))
    t.equal(filters[0]?.op, op)
    t.same(filters[0]?.value, value, `${JSON.stringify(query)} → ${JSON.stringify(value)}`)
  }
  const several = parseListQuery(order, { 'filter[status]': 'paid', 'filter[qty.gte]': '2', 'filter[qty.lte]': '9' })
  t.same((several.filters as SqlFilter[]).map((f) => [f.field.name, f.op, f.value]), [['status', 'eq', 'paid'], ['qty', 'gte', 2], ['qty', 'lte', 9]])
  const nested = parseListQuery(order, { filter: { status: 'paid', 'qty.gt': '1' } })
  t.same((nested.filters as SqlFilter[]).map((f) => [f.field.name, f.op, f.value]), [['status', 'eq', 'paid'], ['qty', 'gt', 1]], 'qs-style nested filter object')
})

t.test('bad filter values are INVALID_PAYLOAD naming the field', async (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ 'filter[qty]': 'abc' }, 'qty'],
    [{ 'filter[qty]': '1.5' }, 'qty'],
    [{ 'filter[qty]': '' }, 'qty'],
    [{ 'filter[qty]': '99999999999' }, 'qty'],
    [{ 'filter[big]': '9223372036854775808' }, 'big'],
    [{ 'filter[big]': '12x' }, 'big'],
    [{ 'filter[big.in]': '1,-9223372036854775809' }, 'big'],
    [{ 'filter[total]': '1e999999' }, 'total'],
    [{ 'filter[total.gt]': '1e-1001' }, 'total'],
    [{ 'filter[placed_at]': '+275760-09-13T00:00:00Z' }, 'placed_at'],
    [{ 'filter[due]': '0000-01-01' }, 'due'],
    [{ 'filter[total]': 'ten' }, 'total'],
    [{ 'filter[paid]': 'maybe' }, 'paid'],
    [{ 'filter[ref]': 'not-a-uuid' }, 'ref'],
    [{ 'filter[placed_at]': 'yesterday' }, 'placed_at'],
    [{ 'filter[due]': '2024-13-01' }, 'due'],
    [{ 'filter[due]': '2024-01-01T00:00:00Z' }, 'due'],
    [{ 'filter[meta]': '{}' }, 'meta'],
    [{ 'filter[attachment]': 'x' }, 'attachment'],
    [{ 'filter[qty.in]': '1,x' }, 'qty'],
    [{ 'filter[ref.is_null]': 'maybe' }, 'ref'],
    [{ 'filter[status]': 'a\u0000b' }, 'status'],
    [{ 'filter[note.like]': 'abc\\' }, 'note'],
    [{ 'filter[paid.gt]': 'true' }, 'paid'],
    [{ 'filter[meta.lt]': '1' }, 'meta'],
    [{ 'filter[qty.like]': '1%' }, 'qty'],
    [{ 'filter[ref.ilike]': 'a%' }, 'ref'],
    [{ 'filter[status.equals]': 'x' }, 'status'],
    [{ 'filter[status.]': 'x' }, 'status']
  ]
  for (const [query, name] of cases) {
    const err = expectError(t, () => parseListQuery(order, query), 'INVALID_PAYLOAD', 400)
    t.equal(err.details?.[0]?.field, name, `${JSON.stringify(query)} names ${name}`)
  }
  const op = expectError(t, () => parseListQuery(order, { 'filter[qty.gtee]': '1' }), 'INVALID_PAYLOAD', 400)
  t.match(op.message, /unknown operator 'gtee' \(did you mean 'gte'\?\)/)
})

t.test('unknown fields are UNKNOWN_FIELD with a hint', async (t) => {
  const f = expectError(t, () => parseListQuery(order, { 'filter[stauts]': 'x' }), 'UNKNOWN_FIELD', 400)
  t.match(f.message, /'stauts'.*did you mean 'status'/)
  t.same(f.details?.[0]?.field, 'stauts')
  const s = expectError(t, () => parseListQuery(order, { sort: 'status,-totl' }), 'UNKNOWN_FIELD', 400)
  t.match(s.message, /did you mean 'total'/)
  expectError(t, () => parseListQuery(order, { 'filter[customer.name]': 'x' }), 'UNKNOWN_FIELD', 400)
})

t.test('sort', async (t) => {
  const terms = (raw: string) => parseListQuery(order, { sort: raw }).sort.map((s) => [s.field.name, s.desc])
  t.same(terms('status,-qty'), [['status', false], ['qty', true]])
  t.same(terms('-placed_at'), [['placed_at', true]])
  t.same(terms('+qty, status'), [['qty', false], ['status', false]], "'+' and spaces (a decoded '+') tolerated")
  t.same(terms('qty,-qty'), [['qty', false]], 'a repeated field keeps its first direction')
  t.same(terms(''), [])
  t.same(parseListQuery(order, {}).sort, [])
  expectError(t, () => terms('status,'), 'INVALID_PAYLOAD', 400)
  expectError(t, () => terms('-'), 'INVALID_PAYLOAD', 400)
  const j = expectError(t, () => terms('meta'), 'INVALID_PAYLOAD', 400)
  t.equal(j.details?.[0]?.field, 'meta')
})

t.test('paging', async (t) => {
  const d = parseListQuery(order, {})
  t.same([d.page, d.perPage, d.include, d.filters], [1, 25, [], []], 'defaults')
  const p = parseListQuery(order, { page: '3', per_page: '10' })
  t.same([p.page, p.perPage], [3, 10])
  t.equal(parseListQuery(order, { per_page: '100' }).perPage, 100)
  t.equal(parseListQuery(order, { per_page: '101' }).perPage, 100, 'clamped to 100')
  t.equal(parseListQuery(order, { per_page: '5000' }).perPage, 100)
  t.equal(parseListQuery(order, { per_page: '50' }, { maxPerPage: 20 }).perPage, 20, 'maxPerPage option')
  for (const [key, raw] of [['page', '0'], ['page', '-1'], ['page', 'abc'], ['page', '1.5'], ['page', ''], ['per_page', '0'],
    ['per_page', '-5'], ['per_page', '2e1'], ['page', '99999999999999999999']]) {
    const err = expectError(t, () => parseListQuery(order, { [key as string]: raw }), 'INVALID_PAYLOAD', 400)
    t.equal(err.details?.[0]?.field, key, `${key}=${raw as string}`)
  }
  expectError(t, () => parseListQuery(order, { page: '9999999999999999', per_page: '100' }), 'INVALID_PAYLOAD', 400)
})

t.test('include', async (t) => {
  const names = (raw: string) => parseListQuery(order, { include: raw }).include.map((e) => [e.name, e.kind])
  t.same(names('customer,tags'), [['customer', 'belongs_to'], ['tags', 'many_to_many']])
  t.same(names(' tags , tags,'), [['tags', 'many_to_many']], 'trimmed, deduplicated, empty names skipped')
  t.same(names(''), [], 'empty include ignored')
  const err = expectError(t, () => names('tags,tgs'), 'INVALID_PAYLOAD', 400)
  t.same(err.details, [{ field: 'include', relation: 'tgs', message: "unknown relation 'tgs' (did you mean 'tags'?)" }])
  const customer = registry.entities.get('customer')!
  t.same(parseListQuery(customer, { include: 'orders' }).include.map((e) => e.kind), ['has_many'])
  t.same(parseGetQuery(order, { include: 'customer' }).include.map((e) => e.name), ['customer'])
  t.same(parseGetQuery(order, {}).include, [])
  expectError(t, () => parseGetQuery(order, { sort: 'qty' }), 'INVALID_PAYLOAD', 400)
})

t.test('unknown and repeated parameters', async (t) => {
  const u = expectError(t, () => parseListQuery(order, { perpage: '10' }), 'INVALID_PAYLOAD', 400)
  t.match(u.message, /unknown query parameter 'perpage' \(did you mean 'per_page'\?\)/i)
  expectError(t, () => parseListQuery(order, { fields: 'a' }), 'UNKNOWN_FIELD', 400)
  expectError(t, () => parseListQuery(order, { filter: 'x' }), 'INVALID_PAYLOAD', 400)
  const r = expectError(t, () => parseListQuery(order, { 'filter[status]': ['a', 'b'] }), 'INVALID_PAYLOAD', 400)
  t.match(r.message, /only once/)
  expectError(t, () => parseListQuery(order, { page: ['1', '2'] }), 'INVALID_PAYLOAD', 400)
  t.same(parseListQuery(order, { page: undefined }).page, 1, 'undefined values are absent')
})

t.test('filterFromCondition (permission conditions)', async (t) => {
  const c = (f: string, operator: string, value: unknown) => {
    const r = filterFromCondition(order, { field: f, operator, value })
    return [r.field.name, r.op, r.value]
  }
  t.same(c('qty', 'gte', 3), ['qty', 'gte', 3])
  t.same(c('paid', 'eq', true), ['paid', 'eq', true])
  t.same(c('customer_id', 'eq', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'), ['customer_id', 'eq', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'])
  t.same(c('status', 'in', ['a', 'b']), ['status', 'in', ['a', 'b']])
  t.same(c('qty', 'not_in', 4), ['qty', 'not_in', [4]])
  t.same(c('status', 'eq', null), ['status', 'is_null', true])
  t.same(c('status', 'neq', null), ['status', 'is_null', false])
  t.same(c('placed_at', 'lt', new Date('2024-01-01T00:00:00Z')), ['placed_at', 'lt', '2024-01-01T00:00:00.000Z'])
  expectError(t, () => c('nope', 'eq', 1), 'UNKNOWN_FIELD', 400)
  expectError(t, () => c('qty', 'eq', 'x'), 'INVALID_PAYLOAD', 400)
  expectError(t, () => c('qty', 'between', 1), 'INVALID_PAYLOAD', 400)
  expectError(t, () => c('qty', 'eq', { a: 1 }), 'INVALID_PAYLOAD', 400)
})

t.test('list SQL text and parameters', async (t) => {
  const cols = order.selectColumns
  const base = { filters: [], sort: [], limit: 25, offset: 0 }
  t.same(buildListSql(order, base), {
    page: { text: `SELECT ${cols} FROM "public"."orders" WHERE "deleted_at" IS NULL ORDER BY "id" ASC LIMIT $1 OFFSET $2`, params: [25, 0] },
    count: { text: 'SELECT count(*) AS total FROM "public"."orders" WHERE "deleted_at" IS NULL', params: [] }
  })
  const q = parseListQuery(order, {
    'filter[status]': 'paid',
    'filter[qty.neq]': '1',
    'filter[qty.gt]': '2',
    'filter[qty.gte]': '3',
    'filter[total.lt]': '4.5',
    'filter[total.lte]': '5',
    'filter[ref.in]': '00000000-0000-0000-0000-000000000001,00000000-0000-0000-0000-000000000002',
    'filter[big.not_in]': '7',
    'filter[note.like]': '%a%',
    'filter[note.ilike]': 'B%',
    'filter[due.is_null]': 'true',
    'filter[meta.is_null]': 'false',
    'filter[paid.in]': 'true,false',
    sort: '-placed_at,status',
    page: '3',
    per_page: '10'
  })
  const where = ' WHERE "deleted_at" IS NULL AND "status" = $1 AND "qty" <> $2 AND "qty" > $3 AND "qty" >= $4' +
    ' AND "total" < $5 AND "total" <= $6 AND "ref" = ANY($7::uuid[]) AND "big" <> ALL($8::bigint[])' +
    ' AND "note" LIKE $9 AND "note" ILIKE $10 AND "due" IS NULL AND "meta" IS NOT NULL AND "paid" = ANY($11::boolean[])' +
    ' AND "customer_id" = $12'
  const perm = [{ field: field('customer_id'), op: 'eq' as const, value: 'c0ffee00-0000-4000-8000-000000000000' }]
  const input = { filters: q.filters, where: perm, sort: q.sort, limit: q.perPage, offset: (q.page - 1) * q.perPage }
  const whereParams = ['paid', 1, 2, 3, '4.5', '5', ['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002'],
    ['7'], '%a%', 'B%', '{t,f}', 'c0ffee00-0000-4000-8000-000000000000']
  const sqls = buildListSql(order, input)
  t.equal(sqls.page.text, `SELECT ${cols} FROM "public"."orders"${where} ORDER BY "placed_at" DESC, "status" ASC, "id" ASC LIMIT $13 OFFSET $14`)
  t.same(sqls.page.params, [...whereParams, 10, 20])
  t.equal(sqls.count.text, `SELECT count(*) AS total FROM "public"."orders"${where}`)
  t.same(sqls.count.params, whereParams)
  const combined = buildPageWithTotalSql(order, input)
  t.equal(combined.text, `SELECT c.total, p.* FROM (SELECT count(*) AS total FROM "public"."orders"${where}) c LEFT JOIN LATERAL ` +
    `(SELECT ${cols} FROM "public"."orders"${where} ORDER BY "placed_at" DESC, "status" ASC, "id" ASC LIMIT $13 OFFSET $14) p ON true`)
  t.same(combined.params, [...whereParams, 10, 20])
  const byPk = parseListQuery(order, { sort: '-id' })
  t.match(buildListSql(order, { ...base, sort: byPk.sort }).page.text, / ORDER BY "id" DESC LIMIT/, 'no tie-breaker when sorted by pk')
  const customer = registry.entities.get('customer')!
  t.equal(buildListSql(customer, base).page.text, `SELECT ${customer.selectColumns} FROM "public"."customers" ORDER BY "id" ASC LIMIT $1 OFFSET $2`, 'no live condition without soft delete')
})

t.test('get SQL and array types', async (t) => {
  t.same(buildGetSql(order, order.pk, 'x'), { text: `SELECT ${order.selectColumns} FROM "public"."orders" WHERE "deleted_at" IS NULL AND "id" = $1 LIMIT 1`, params: ['x'] })
  const perm = [{ field: field('qty'), op: 'in' as const, value: [1, 2] }]
  t.same(buildGetSql(order, field('status'), 's', perm), {
    text: `SELECT ${order.selectColumns} FROM "public"."orders" WHERE "deleted_at" IS NULL AND "status" = $1 AND "qty" = ANY($2::integer[]) LIMIT 1`,
    params: ['s', [1, 2]]
  })
  t.same(['status', 'note', 'qty', 'big', 'total', 'paid', 'ref', 'placed_at', 'due'].map((n) => arrayTypeOf(field(n))),
    ['text', 'text', 'integer', 'bigint', 'numeric', 'boolean', 'uuid', 'timestamptz', 'date'])
  const dated = buildGetSql(order, order.pk, 'x', [{ field: field('placed_at'), op: 'lt', value: new Date('2024-01-01T00:00:00Z') }])
  t.same(dated.params, ['x', '2024-01-01T00:00:00.000Z'], 'Date values are bound as ISO text')
})
