import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { queryWorld, type QueryWorld } from './query-fixtures.js'

let a: TestApp
let w: QueryWorld

t.before(async () => {
  const app = await build(t)
  a = await createTestApp(app, 'qe')
  w = await queryWorld(t, a)
})

const id = (n: string): string => w.invoices.get(n) ?? ''

t.test('GET by id carries a weak ETag; If-None-Match answers 304 until the record is written', async (t) => {
  const first = await a.as(a.admin, { url: `/invoice/${id('A1')}` })
  const etag = first.headers.etag as string
  t.match(etag, /^W\/"[0-9]+\.[A-Za-z0-9_-]+"$/)
  t.equal((await a.as(a.admin, { url: `/invoice/${id('A1')}` })).headers.etag, etag, 'stable while nothing is written')
  const cached = await a.as(a.admin, { url: `/invoice/${id('A1')}`, headers: { 'if-none-match': etag } })
  t.equal(cached.statusCode, 304)
  t.equal(cached.body, '')
  t.equal(cached.headers.etag, etag)
  t.equal((await a.as(a.admin, { url: `/invoice/${id('A1')}`, headers: { 'if-none-match': 'W/"1.x", *' } })).statusCode, 304, 'star')
  const other = await a.as(a.admin, { url: `/invoice/${id('A1')}?fields=number`, headers: { 'if-none-match': etag } })
  t.equal(other.statusCode, 200, 'another representation has another tag')
  t.equal((await a.as(a.admin, { method: 'PUT', url: `/invoice/${id('A1')}`, payload: { note: 'changed' } })).statusCode, 200)
  const after = await a.as(a.admin, { url: `/invoice/${id('A1')}`, headers: { 'if-none-match': etag } })
  t.equal(after.statusCode, 200, 'written: the old tag no longer matches')
  t.not(after.headers.etag, etag)
})

t.test('If-Match on PUT and DELETE: 412 PRECONDITION_FAILED when the record changed, nothing written', async (t) => {
  const etag = (await a.as(a.admin, { url: `/invoice/${id('A2')}` })).headers.etag as string
  const ok = await a.as(a.admin, { method: 'PUT', url: `/invoice/${id('A2')}`, headers: { 'if-match': etag }, payload: { note: 'first' } })
  t.equal(ok.statusCode, 200, ok.body)
  const stale = await a.as(a.admin, { method: 'PUT', url: `/invoice/${id('A2')}`, headers: { 'if-match': etag }, payload: { note: 'second' } })
  expectError(t, stale, 412, 'PRECONDITION_FAILED')
  t.equal((await a.as(a.admin, { url: `/invoice/${id('A2')}` })).json().data.note, 'first', 'the stale write was rolled back')
  const staleDelete = await a.as(a.admin, { method: 'DELETE', url: `/invoice/${id('A2')}`, headers: { 'if-match': etag } })
  expectError(t, staleDelete, 412, 'PRECONDITION_FAILED')
  t.equal((await a.as(a.admin, { url: `/invoice/${id('A2')}` })).statusCode, 200, 'not deleted')
  const fresh = (await a.as(a.admin, { url: `/invoice/${id('A2')}` })).headers.etag as string
  t.equal((await a.as(a.admin, { method: 'PUT', url: `/invoice/${id('A2')}`, headers: { 'if-match': `"bogus", ${fresh}` }, payload: { note: 'third' } })).statusCode, 200, 'any listed tag')
  expectError(t, await a.as(a.admin, { method: 'PUT', url: `/invoice/${id('A2')}`, headers: { 'if-match': 'garbage' }, payload: { note: 'x' } }), 412, 'PRECONDITION_FAILED')
  t.equal((await a.as(a.admin, { method: 'PUT', url: `/invoice/${id('A2')}`, headers: { 'if-match': '*' }, payload: { note: 'star' } })).statusCode, 200)
  const current = (await a.as(a.admin, { url: `/invoice/${id('A2')}` })).headers.etag as string
  const del = await a.as(a.admin, { method: 'DELETE', url: `/invoice/${id('A2')}`, headers: { 'if-match': current } })
  t.equal(del.statusCode, 200, del.body)
  expectError(t, await a.as(a.admin, { method: 'DELETE', url: `/invoice/${id('A2')}`, headers: { 'if-match': '*' } }), 404, 'NOT_FOUND')
})

t.test('If-Match does not reveal records the caller cannot read', async (t) => {
  const res = await a.as(w.member.token, { method: 'PUT', url: `/invoice/${id('B1')}`, headers: { 'if-match': 'W/"1.x"' }, payload: { note: 'x' } })
  expectError(t, res, 404, 'NOT_FOUND')
  const own = (await a.as(w.member.token, { url: `/invoice/${id('A3')}` })).headers.etag as string
  t.equal((await a.as(w.member.token, { method: 'PUT', url: `/invoice/${id('A3')}`, headers: { 'if-match': own }, payload: { note: 'mine' } })).statusCode, 200)
})
