import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { appContext } from './business-fixtures.js'
import { queryWorld, type QueryWorld, type Row } from './query-fixtures.js'

let app: FastifyInstance
let a: TestApp
let w: QueryWorld

t.before(async () => {
  app = await build(t)
  a = await createTestApp(app, 'qp')
  w = await queryWorld(t, a)
})

interface Page { data: Row[], meta: Record<string, unknown> }

async function get (token: string, qs: string): Promise<Page> {
  const res = await a.as(token, { url: `/invoice?${qs}` })
  if (res.statusCode !== 200) throw new Error(`${qs}: ${res.statusCode} ${res.body}`)
  return res.json()
}

/** Follows next_cursor to the end; returns the numbers in order and the number of pages. */
async function walk (token: string, qs: string): Promise<{ numbers: string[], pages: number }> {
  const numbers: string[] = []
  let cursor: string | null = ''
  let pages = 0
  while (cursor !== null) {
    const page: Page = await get(token, `${qs}&cursor=${encodeURIComponent(cursor)}`)
    numbers.push(...page.data.map((r) => r.number as string))
    cursor = page.meta.next_cursor as string | null
    pages++
    if (pages > 50) throw new Error('no end')
  }
  return { numbers, pages }
}

t.test('count modes', async (t) => {
  t.same((await get(a.admin, 'count=exact')).meta, { page: 1, per_page: 25, total: 5 })
  t.same((await get(a.admin, 'count=none&per_page=2')).meta, { page: 1, per_page: 2 }, 'no total')
  const none = await get(a.admin, 'count=none&per_page=2&page=3&sort=number')
  t.same(none.data.map((r) => r.number), ['B2'], 'the page itself is unaffected')
  t.same((await get(a.admin, 'count=estimated&filter[status]=paid')).meta, { page: 1, per_page: 25, total: 2 }, 'small counts stay exact')
  t.same((await get(w.member.token, 'count=none')).data.length, 3, 'read conditions apply')
  const bad = await a.as(a.admin, { url: '/invoice?count=approx' })
  expectError(t, bad, 400, 'INVALID_PAYLOAD')
  t.match(bad.json().error.message, /'count'/)
})

t.test('count=estimated past 10,000 rows reports the planner estimate', async (t) => {
  const ctx = await appContext(app, a)
  await ctx.sql.unsafe("INSERT INTO customers (name, status) SELECT 'bulk' || g, 'bulk' FROM generate_series(1, 10050) g")
  await ctx.sql.unsafe('ANALYZE customers')
  const res = await a.as(a.admin, { url: '/customer?count=estimated&filter[status]=bulk&per_page=1' })
  t.equal(res.statusCode, 200, res.body)
  const meta = res.json().meta
  t.equal(meta.total_estimated, true)
  t.ok(meta.total >= 10001 && meta.total < 20000, `estimate ${String(meta.total)}`)
  const exact = await a.as(a.admin, { url: '/customer?filter[status]=bulk&per_page=1' })
  t.equal(exact.json().meta.total, 10050)
})

t.test('keyset pagination walks every sort to the end, PK as tie-breaker', async (t) => {
  const all = ['A1', 'A2', 'A3', 'B1', 'B2']
  t.same(await walk(a.admin, 'paginate=cursor&per_page=2&sort=number'), { numbers: all, pages: 3 })
  t.same((await walk(a.admin, 'per_page=2&sort=-number')).numbers, [...all].reverse(), 'descending')
  const byStatus = await walk(a.admin, 'per_page=1&sort=status')
  t.same(byStatus.numbers.slice().sort(), all, 'ties on status: every row exactly once')
  t.same(byStatus.numbers.slice(0, 1), ['A2'])
  const byNote = await walk(a.admin, 'per_page=1&sort=note,-total')
  t.same(byNote.numbers, ['A3', 'B1', 'A1', 'A2', 'B2'], 'nullable column: NULLs last, then the second key')
  const byNoteDesc = await walk(a.admin, 'per_page=2&sort=-note,total')
  t.same(byNoteDesc.numbers, ['B2', 'A2', 'A1', 'B1', 'A3'], 'descending: NULLs first')
  t.same((await walk(a.admin, 'per_page=2&sort=-created_at')).numbers.length, 5, 'timestamps keep their microseconds')
  t.same((await walk(a.admin, 'per_page=2')).numbers.slice().sort(), all, 'default order (primary key)')
  t.same((await walk(a.admin, 'per_page=1&sort=number&filter[or][0][status]=paid&filter[or][1][customer.status]=active&fields=number&count=none')).numbers, ['A1', 'A2', 'B1'], 'with filters and fields')
  const first = await get(a.admin, 'paginate=cursor&per_page=10')
  t.equal(first.meta.next_cursor, null, 'one page only: next_cursor null')
  t.equal(first.meta.total, 5)
  t.notOk('page' in first.meta)
})

t.test('keyset pagination under read permissions', async (t) => {
  t.same((await walk(w.member.token, 'per_page=1&sort=number')).numbers, ['A1', 'A2', 'A3'])
  t.same((await walk(w.other.token, 'per_page=1&sort=-total')).numbers, ['B1', 'B2'])
  // A cursor is not a capability: the other user's cursor still lists only the member's rows.
  const theirs = (await get(w.other.token, 'paginate=cursor&per_page=1&sort=number')).meta.next_cursor as string
  const mine = await get(w.member.token, `cursor=${encodeURIComponent(theirs)}&per_page=10&sort=number`)
  t.same(mine.data.map((r) => r.number), ['A1', 'A2', 'A3'].filter((n) => n > 'B1'), 'nothing of theirs')
})

t.test('tampered, foreign and malformed cursors are 400', async (t) => {
  const page = await get(a.admin, 'paginate=cursor&per_page=1&sort=number')
  const cursor = page.meta.next_cursor as string
  const [body, mac] = cursor.split('.') as [string, string]
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString()) as { v: string[] }
  payload.v[0] = 'B0'
  const forged = `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${mac}`
  const cases: Array<[string, string]> = [
    [`cursor=${encodeURIComponent(forged)}&sort=number`, 'altered'],
    [`cursor=${encodeURIComponent(`${body}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`)}&sort=number`, 'altered'],
    // the MAC's last character changed in its spare bits only: the same bytes, another spelling
    [`cursor=${encodeURIComponent(`${body}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : String.fromCharCode(mac.charCodeAt(mac.length - 1) + 1)}`)}&sort=number`, 'altered'],
    [`cursor=${encodeURIComponent(cursor)}&sort=-number`, 'sort'],
    [`cursor=${encodeURIComponent(cursor)}`, 'sort'],
    ['cursor=garbage', 'cursor'],
    ['cursor=a.b.c', 'cursor'],
    [`cursor=${encodeURIComponent(cursor)}&sort=number&page=2`, "'page'"],
    ['paginate=cursor&page=1', "'page'"],
    ['paginate=sideways', "'paginate'"],
    [`cursor=${encodeURIComponent(cursor)}&paginate=offset&sort=number`, "'cursor'"],
    ['cursor=a&cursor=b', "'cursor'"]
  ]
  for (const [qs, word] of cases) {
    const res = await a.as(a.admin, { url: `/invoice?${qs}` })
    expectError(t, res, 400, 'INVALID_PAYLOAD')
    t.ok(res.json().error.message.includes(word), `${qs.slice(0, 60)}: ${res.json().error.message}`)
  }
  const other = await a.as(a.admin, { url: `/customer?cursor=${encodeURIComponent(cursor)}&sort=number` })
  expectError(t, other, 400, 'UNKNOWN_FIELD')
  const customerCursor = (await a.as(a.admin, { url: '/customer?paginate=cursor&per_page=1' })).json().meta.next_cursor as string
  const foreign = await a.as(a.admin, { url: `/invoice?cursor=${encodeURIComponent(customerCursor)}` })
  expectError(t, foreign, 400, 'INVALID_PAYLOAD')
  t.match(foreign.json().error.message, /another entity/)
})

t.test('keyset pages after the first do not count unless count= asks', async (t) => {
  const first = await get(a.admin, 'paginate=cursor&per_page=2&sort=number')
  t.equal(first.meta.total, 5, 'the first page counts')
  const cursor = encodeURIComponent(first.meta.next_cursor as string)
  const next = await get(a.admin, `cursor=${cursor}&per_page=2&sort=number`)
  t.notOk('total' in next.meta, 'a cursor page: no count query, no total')
  t.equal(next.data.length, 2)
  t.equal((await get(a.admin, `cursor=${cursor}&per_page=2&sort=number&count=exact`)).meta.total, 5, 'count=exact still counts')
})
