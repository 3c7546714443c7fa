import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

const entity = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'product',
  table: 'products',
  fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string', required: true }, { name: 'stock', type: 'int' }],
  ...over
})

async function post (a: TestApp, url: string, payload: unknown): Promise<Awaited<ReturnType<TestApp['as']>>> {
  return await a.as(a.admin, { method: 'POST', url, payload: payload as Record<string, unknown> })
}

t.test('entity definitions are validated', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['bad name', entity({ name: 'Product' }), 'name'],
    ['reserved name', entity({ name: 'auth' }), 'name'],
    ['bad table', entity({ table: '_products' }), 'table'],
    ['unknown type', entity({ fields: [{ name: 'id', type: 'uuid' }, { name: 'x', type: 'money' }] }), 'fields.x.type'],
    ['duplicate field', entity({ fields: [{ name: 'id', type: 'uuid' }, { name: 'a', type: 'int' }, { name: 'a', type: 'int' }] }), 'fields[2].name'],
    ['pk missing', entity({ primary_key: { field: 'code', type: 'string' } }), 'primary_key.field'],
    ['pk type mismatch', entity({ primary_key: { field: 'stock', type: 'uuid' } }), 'primary_key.field'],
    ['precision too high', entity({ fields: [{ name: 'id', type: 'uuid' }, { name: 'p', type: 'decimal', precision: 1001 }] }), 'fields.p.precision'],
    ['scale over precision', entity({ fields: [{ name: 'id', type: 'uuid' }, { name: 'p', type: 'decimal', precision: 4, scale: 5 }] }), 'fields.p.scale'],
    ['enum too long', entity({ fields: [{ name: 'id', type: 'uuid' }, { name: 's', type: 'string', enum: Array.from({ length: 1001 }, (_, i) => `v${i}`) }] }), 'fields.s.enum'],
    ['default wrong type', entity({ fields: [{ name: 'id', type: 'uuid' }, { name: 'n', type: 'int', default: 'x' }] }), 'fields.n.default'],
    ['slug source missing', entity({ slug: { field: 'title', source: 'nope' } }), 'slug.source'],
    ['too many fields', entity({ fields: [{ name: 'id', type: 'uuid' }, ...Array.from({ length: 500 }, (_, i) => ({ name: `f${i}`, type: 'int' }))] }), 'fields']
  ]
  for (const [label, def, field] of cases) {
    const res = await post(a, '/_admin/entities', def)
    expectError(t, res, 422, 'VALIDATION_FAILED')
    t.ok(res.json().error.details.some((d: { field: string }) => d.field === field), `${label}: detail names ${field} (${res.body.slice(0, 200)})`)
  }
  // A body that is not a JSON object is malformed, as on every route (docs/reference.md, "Errors").
  expectError(t, await post(a, '/_admin/entities', [1, 2]), 400, 'INVALID_PAYLOAD')
  const ok = await post(a, '/_admin/entities', entity())
  t.equal(ok.statusCode, 201)
  expectError(t, await post(a, '/_admin/entities', entity()), 409, 'CONFLICT')
  expectError(t, await post(a, '/_admin/entities', entity({ name: 'other' })), 409, 'CONFLICT')
  const list = await a.as(a.admin, { url: '/_admin/entities' })
  t.equal(list.json().data.length, 1, 'failed creations left nothing behind')
})

t.test('auto-migration: add column, widen, refuse unsafe, never drop', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  t.equal((await post(a, '/_admin/entities', entity())).statusCode, 201)
  t.equal((await post(a, '/product', { title: 'Lamp', stock: 3 })).statusCode, 201)
  // Add a field: the table gets the column, writes accept it at once.
  const fields = [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string', required: true }, { name: 'stock', type: 'bigint' }, { name: 'color', type: 'string' }]
  const upd = await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/product', payload: { ...entity(), fields } })
  t.equal(upd.statusCode, 200, upd.body)
  const rec = await post(a, '/product', { title: 'Chair', color: 'red', stock: '9007199254740993' })
  t.equal(rec.statusCode, 201, rec.body)
  t.equal(rec.json().data.stock, '9007199254740993', 'int widened to bigint keeps exact values')
  // Unsafe: bigint -> int, string -> int.
  const narrow = [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'int' }, { name: 'stock', type: 'int' }]
  const bad = await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/product', payload: { ...entity(), fields: narrow } })
  expectError(t, bad, 422, 'VALIDATION_FAILED')
  // Removing a field hides it but keeps the data.
  const hidden = await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/product', payload: { ...entity(), fields: fields.filter((f) => f.name !== 'color') } })
  t.equal(hidden.statusCode, 200)
  const list = await a.as(a.admin, { url: '/product?sort=title' })
  t.equal(list.json().data[0].color, undefined, 'hidden field not returned')
  expectError(t, await post(a, '/product', { title: 'X', color: 'blue' }), 400, 'UNKNOWN_FIELD')
  const back = await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/product', payload: { ...entity(), fields } })
  t.equal(back.statusCode, 200)
  const again = await a.as(a.admin, { url: '/product?filter[color]=red' })
  t.equal(again.json().meta.total, 1, 'data survived hiding')
  expectError(t, await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/nope', payload: entity({ name: 'nope' }) }), 404, 'NOT_FOUND')
  // Unique over duplicate data is refused, the entity stays as it was.
  await post(a, '/product', { title: 'Chair' })
  const uniq = await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/product', payload: { ...entity(), fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string', unique: true }, { name: 'stock', type: 'bigint' }, { name: 'color', type: 'string' }] } })
  expectError(t, uniq, 422, 'VALIDATION_FAILED')
  const def = (await a.as(a.admin, { url: '/_admin/entities/product' })).json().data
  t.notOk(def.fields.find((f: { name: string }) => f.name === 'title').unique, 'metadata unchanged after failed DDL')
})

t.test('relations: validation, many-to-many join tables, delete entity', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  t.equal((await post(a, '/_admin/entities', entity())).statusCode, 201)
  t.equal((await post(a, '/_admin/entities', { name: 'tag', fields: [{ name: 'id', type: 'int' }, { name: 'label', type: 'string' }], primary_key: { field: 'id', type: 'int' } })).statusCode, 201)
  expectError(t, await post(a, '/_admin/relations', { name: 'x', type: 'one_to_many', source: 'product', target: 'nope', target_key: 'a' }), 422, 'VALIDATION_FAILED')
  expectError(t, await post(a, '/_admin/relations', { name: 'x', type: 'one_to_many', source: 'product', target: 'tag', target_key: 'missing' }), 422, 'VALIDATION_FAILED')
  expectError(t, await post(a, '/_admin/relations', { name: 'x', type: 'sideways', source: 'product', target: 'tag' }), 422, 'VALIDATION_FAILED')
  expectError(t, await post(a, '/_admin/relations', { name: 'title', type: 'many_to_many', source: 'product', target: 'tag' }), 422, 'VALIDATION_FAILED')
  const m2m = await post(a, '/_admin/relations', { name: 'tags', type: 'many_to_many', source: 'product', target: 'tag', join_table: 'product_tags', source_join_key: 'product_id', target_join_key: 'tag_id', inverse_name: 'products' })
  t.equal(m2m.statusCode, 201, m2m.body)
  expectError(t, await post(a, '/_admin/relations', { name: 'tags', type: 'many_to_many', source: 'product', target: 'tag' }), 409, 'CONFLICT')
  const tag1 = (await post(a, '/tag', { label: 'new' })).json().data
  const tag2 = (await post(a, '/tag', { label: 'sale' })).json().data
  const p = await post(a, '/product', { title: 'Desk', tags: [{ id: tag1.id }, { id: tag2.id }] })
  t.equal(p.statusCode, 201, p.body)
  const got = await a.as(a.admin, { url: `/tag/${String(tag1.id)}?include=products` })
  t.equal(got.json().data.products[0].title, 'Desk')
  const rep = await a.as(a.admin, { method: 'PUT', url: `/product/${String(p.json().data.id)}`, payload: { tags: { _write_mode: 'replace', data: [{ id: tag2.id }] } } })
  t.same(rep.json().data.tags.map((x: { label: string }) => x.label), ['sale'])
  t.equal((await a.as(a.admin, { method: 'DELETE', url: '/_admin/entities/tag?drop=true' })).statusCode, 200)
  expectError(t, await a.as(a.admin, { url: '/tag' }), 404, 'UNKNOWN_ENTITY')
  t.same((await a.as(a.admin, { url: '/_admin/relations' })).json().data, [], 'relations of a deleted entity are removed')
  expectError(t, await a.as(a.admin, { url: '/product?include=tags' }), 400, 'INVALID_PAYLOAD')
})
