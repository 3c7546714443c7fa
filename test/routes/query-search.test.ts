import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { appContext } from './business-fixtures.js'
import { numbers, queryWorld, type QueryWorld, type Row } from './query-fixtures.js'

let app: FastifyInstance
let a: TestApp
let w: QueryWorld

t.before(async () => {
  app = await build(t)
  a = await createTestApp(app, 'qt')
  w = await queryWorld(t, a)
})

async function setSearchable (names: string[], search?: Row): Promise<number> {
  const def = (await a.as(a.admin, { url: '/_admin/entities/invoice' })).json().data as { fields: Row[] }
  const fields = def.fields.map((f) => ({ ...f, searchable: names.includes(f.name as string) ? true : undefined }))
  const res = await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/invoice', payload: { ...def, fields, ...(search !== undefined ? { search } : {}) } })
  if (res.statusCode !== 200) throw new Error(res.body)
  return res.statusCode
}

async function searchColumn (): Promise<{ column: boolean, index: boolean }> {
  const ctx = await appContext(app, a)
  const col = await ctx.sql`SELECT 1 FROM information_schema.columns WHERE table_name = 'invoices' AND column_name = '_search'`
  const idx = await ctx.sql`SELECT 1 FROM pg_indexes WHERE tablename = 'invoices' AND indexdef ILIKE '%gin%_search%'`
  return { column: col.length === 1, index: idx.length === 1 }
}

t.test('search needs searchable fields', async (t) => {
  const res = await a.as(a.admin, { url: '/invoice?search=widget' })
  expectError(t, res, 400, 'INVALID_PAYLOAD')
  t.match(res.json().error.message, /'search'/)
  t.same(await searchColumn(), { column: false, index: false })
})

t.test('a field made searchable on an existing table: generated tsvector + GIN index, rank order', async (t) => {
  await setSearchable(['number', 'note'], { language: 'english' })
  t.same(await searchColumn(), { column: true, index: true }, 'added by the migrator')
  await a.as(a.admin, { method: 'PUT', url: `/invoice/${w.invoices.get('B1') ?? ''}`, payload: { note: 'widget widget widgets everywhere' } })
  const res = await a.as(a.admin, { url: '/invoice?search=widget' })
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json().data.map((r: Row) => r.number), ['B1', 'A3'], 'rank order: more matches first; english stemming (widgets)')
  t.equal(res.json().meta.total, 2)
  t.same(numbers((await a.as(a.admin, { url: '/invoice?search=widget&sort=number' })).json()), ['A3', 'B1'], 'sort wins over rank')
  t.same(numbers((await a.as(a.admin, { url: '/invoice?search="red widget"' })).json()), ['A3'], 'phrase')
  t.same(numbers((await a.as(a.admin, { url: '/invoice?search=widget -urgent' })).json()), ['B1'], 'negation')
  t.same(numbers((await a.as(a.admin, { url: '/invoice?search=widget&filter[status]=paid' })).json()), ['B1'], 'with filters')
  t.same(numbers((await a.as(a.admin, { url: '/invoice?search=A1' })).json()), ['A1'], 'number is searchable too')
  t.same((await a.as(a.admin, { url: '/invoice?search=widget&paginate=cursor&per_page=1&count=none' })).json().data.length, 1, 'with cursors')
  t.same(numbers((await a.as(a.admin, { url: '/invoice?search=' })).json()).length, 5, 'empty search: no search')
  for (const q of ['search=a&search=b', 'search=%00x', `search=${'x'.repeat(1001)}`]) {
    const bad = await a.as(a.admin, { url: `/invoice?${q}` })
    expectError(t, bad, 400, 'INVALID_PAYLOAD')
    // A NUL is refused by the URL guard before any parameter is read (docs/VALIDATION.md).
    t.match(bad.json().error.message, q.includes('%00') ? /U\+0000/ : /'search'/)
  }
  t.same(numbers((await a.as(a.admin, { url: `/invoice?search=${encodeURIComponent('!!! ( & | :* <->')}` })).json()), [], 'websearch syntax never errors')
})

t.test('search under read permissions', async (t) => {
  t.same(numbers((await a.as(w.member.token, { url: '/invoice?search=widget' })).json()), ['A3'], "the other user's B1 is not found")
  t.same(numbers((await a.as(w.other.token, { url: '/invoice?search=widget' })).json()), ['B1'])
})

t.test('validation and dropping the column when nothing is searchable', async (t) => {
  const def = (await a.as(a.admin, { url: '/_admin/entities/invoice' })).json().data as { fields: Row[] }
  const badField = def.fields.map((f) => (f.name === 'total' ? { ...f, searchable: true } : f))
  expectError(t, await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/invoice', payload: { ...def, fields: badField } }), 422, 'VALIDATION_FAILED')
  expectError(t, await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/invoice', payload: { ...def, search: { language: 'klingon' } } }), 422, 'VALIDATION_FAILED')
  await setSearchable([])
  t.same(await searchColumn(), { column: false, index: false }, 'dropped')
  expectError(t, await a.as(a.admin, { url: '/invoice?search=widget' }), 400, 'INVALID_PAYLOAD')
  t.equal((await a.as(a.admin, { url: '/invoice' })).json().meta.total, 5, 'the table is fine')
})
