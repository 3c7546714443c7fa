import t from 'tap'
import { indexName } from '../../lib/ddl/index-names.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

type Row = Record<string, unknown>

async function post (a: TestApp, url: string, payload: Row): Promise<Awaited<ReturnType<TestApp['as']>>> {
  return await a.as(a.admin, { method: 'POST', url, payload })
}

const foo = { name: 'foo', fields: [{ name: 'id', type: 'uuid' }, { name: 'bar_baz', type: 'string', unique: true }] }
const fooBar = (unique: boolean): Row => ({ name: 'foo_bar', fields: [{ name: 'id', type: 'uuid' }, { name: 'baz', type: 'string', unique }] })

t.test('foo.bar_baz and foo_bar.baz get their own unique indexes and stay independent', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  t.equal((await post(a, '/_admin/entities', foo)).statusCode, 201)
  t.equal((await post(a, '/_admin/entities', fooBar(true))).statusCode, 201)

  t.equal((await post(a, '/foo', { bar_baz: 'x' })).statusCode, 201)
  expectError(t, await post(a, '/foo', { bar_baz: 'x' }), 409, 'CONFLICT')
  t.equal((await post(a, '/foo_bar', { baz: 'x' })).statusCode, 201, 'the same value in the other entity is fine')
  const dup = await post(a, '/foo_bar', { baz: 'x' })
  expectError(t, dup, 409, 'CONFLICT')
  t.match(dup.json(), { error: { details: [{ field: 'baz', rule: 'unique' }] } }, 'foo_bar.baz is unique (it used to share foo\'s index name and got none)')

  const ctx = await app.platform.apps.get(a.name)
  if (ctx === null) throw new Error('no app')
  const indexes = async (): Promise<Row[]> => await ctx.sql<Row[]>`
    SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('foo', 'foo_bar') AND indexname NOT LIKE '%pkey' ORDER BY tablename`
  t.same(await indexes(), [
    { tablename: 'foo', indexname: indexName('foo', ['bar_baz'], 'key') },
    { tablename: 'foo_bar', indexname: indexName('foo_bar', ['baz'], 'key') }
  ], 'one index per entity, under distinct names')

  // Removing unique from foo_bar.baz drops foo_bar's index only.
  t.equal((await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/foo_bar', payload: fooBar(false) })).statusCode, 200)
  t.equal((await post(a, '/foo_bar', { baz: 'x' })).statusCode, 201, 'foo_bar.baz no longer unique')
  expectError(t, await post(a, '/foo', { bar_baz: 'x' }), 409, 'CONFLICT')
  t.same(await indexes(), [{ tablename: 'foo', indexname: indexName('foo', ['bar_baz'], 'key') }], 'foo keeps its index')

  // And back: duplicates now present make the unique index impossible, a 422 naming the field.
  const again = await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/foo_bar', payload: fooBar(true) })
  expectError(t, again, 422, 'VALIDATION_FAILED')
})

t.test('an index name held by another relation is a 422, not a silently missing index', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)
  const ctx = await app.platform.apps.get(a.name)
  if (ctx === null) throw new Error('no app')
  // A table created outside metadata under the very name foo's unique index needs.
  const taken = indexName('foo', ['bar_baz'], 'key')
  await ctx.sql.unsafe(`CREATE TABLE public."${taken}" (x int)`)
  const res = await post(a, '/_admin/entities', foo)
  expectError(t, res, 422, 'VALIDATION_FAILED')
  t.match(res.json(), { error: { details: [{ field: 'fields.bar_baz.unique', rule: 'index', message: /already used by another relation/ }] } })
  t.same((await a.as(a.admin, { url: '/_admin/entities' })).json().data, [], 'no entity')
  t.same(await ctx.sql`SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'foo'`, [], 'no table: the change rolled back')
  // A table named like an existing index is refused as taken (409) rather than failing in DDL.
  t.equal((await post(a, '/_admin/entities', { name: 'qux', fields: [{ name: 'id', type: 'uuid' }, { name: 'code', type: 'string', unique: true }] })).statusCode, 201)
  expectError(t, await post(a, '/_admin/entities', { name: 'other', table: indexName('qux', ['code'], 'key'), fields: [{ name: 'id', type: 'uuid' }] }), 409, 'CONFLICT')
})
