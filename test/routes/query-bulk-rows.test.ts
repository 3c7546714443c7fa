import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { AppContext } from '../../lib/apps/context.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { appContext, defineSchema } from './business-fixtures.js'

/**
 * Bulk create as multi-row INSERTs (lib/write/bulk-create.ts): one statement per entity level,
 * observed through `cmin` (the command id a row was inserted by: rows of one statement share it).
 */

type Row = Record<string, unknown>
let app: FastifyInstance
let a: TestApp
let ctx: AppContext

t.before(async () => {
  app = await build(t)
  a = await createTestApp(app, 'qbr')
  ctx = await appContext(app, a)
  await defineSchema(t, a, {
    entities: [
      {
        name: 'order',
        table: 'orders',
        fields: [
          { name: 'id', type: 'uuid' }, { name: 'number', type: 'string', required: true, unique: true }, { name: 'note', type: 'text' },
          { name: 'paid', type: 'boolean', default: false }, { name: 'total', type: 'decimal', precision: 10, scale: 2 }, { name: 'qty', type: 'int' },
          { name: 'due', type: 'date' }, { name: 'at', type: 'timestamp' }, { name: 'meta', type: 'json' },
          { name: 'created_at', type: 'timestamp', auto: 'create' }
        ]
      },
      { name: 'line', table: 'lines', fields: [{ name: 'id', type: 'uuid' }, { name: 'order_id', type: 'uuid' }, { name: 'label', type: 'string', required: true }, { name: 'part_id', type: 'uuid' }] },
      { name: 'part', table: 'parts', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string' }] },
      { name: 'post', table: 'posts', slug: { field: 'slug', source: 'title' }, fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string' }, { name: 'slug', type: 'string', unique: true }] }
    ],
    relations: [
      { name: 'lines', type: 'one_to_many', source: 'order', target: 'line', source_key: 'id', target_key: 'order_id', inverse_name: 'order' },
      { name: 'part_lines', type: 'one_to_many', source: 'part', target: 'line', source_key: 'id', target_key: 'part_id', inverse_name: 'part' }
    ]
  })
})

async function rows (text: string, params: unknown[] = []): Promise<Row[]> {
  return await ctx.sql.unsafe<Row[]>(text, params as never[])
}

async function counts (): Promise<{ orders: number, lines: number, audit: number, changes: number }> {
  const [r] = await rows(`SELECT (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM lines)::int AS lines,
    (SELECT count(*) FROM _audit_log)::int AS audit, (SELECT count(*) FROM _changes)::int AS changes`)
  return r as { orders: number, lines: number, audit: number, changes: number }
}

t.test('bulk create with nested children: one INSERT per level, FKs in order, audit and changes rows too', async (t) => {
  const before = await counts()
  const body = Array.from({ length: 120 }, (_, i) => ({ number: `B-${i}`, qty: i, lines: Array.from({ length: i % 4 }, (_, k) => ({ label: `B-${i}/${k}` })) }))
  const res = await a.as(a.admin, { method: 'POST', url: '/order', payload: body })
  t.equal(res.statusCode, 201, res.body.slice(0, 300))
  const data = res.json().data as Row[]
  t.equal(data.length, 120)
  data.forEach((d, i) => {
    t.equal(d.number, `B-${i}`)
    const lines = d.lines as Row[]
    t.equal(lines.length, i % 4, `record ${i}: its own children in the response`)
    lines.forEach((l, k) => { t.equal(l.label, `B-${i}/${k}`); t.equal(l.order_id, d.id) })
  })
  const orderCmins = await rows("SELECT DISTINCT cmin::text AS c FROM orders WHERE number LIKE 'B-%'")
  const lineCmins = await rows("SELECT DISTINCT cmin::text AS c FROM lines WHERE label LIKE 'B-%'")
  t.equal(orderCmins.length, 1, 'every order row by one statement')
  t.equal(lineCmins.length, 1, 'every child of every order by one statement')
  t.not(orderCmins[0]?.c, lineCmins[0]?.c)
  const stored = await rows("SELECT l.label, o.number FROM lines l JOIN orders o ON o.id = l.order_id WHERE l.label LIKE 'B-%'")
  t.equal(stored.length, 180)
  t.ok(stored.every((r) => String(r.label).startsWith(`${String(r.number)}/`)), 'each child points at its own parent')
  const after = await counts()
  t.equal(after.orders - before.orders, 120)
  t.equal(after.audit - before.audit, 300, 'one audit row per written row')
  t.equal(after.changes - before.changes, 300, 'one change row per written row')
  const auditCmins = await rows("SELECT DISTINCT cmin::text AS c FROM _audit_log WHERE entity = 'order' AND action = 'create'")
  t.same(auditCmins.map((r) => r.c), [orderCmins[0]?.c], 'the audit rows ride on the rows\' own INSERT')
})

t.test('bulk values round-trip like single creates (quotes, braces, NULL, JSON, types)', async (t) => {
  const tricky = [
    { number: 'V-1', note: 'quote " backslash \\ brace { } comma , ', paid: true, total: '12.30', qty: -5, due: '2024-02-29', at: '2024-05-01T10:20:30.123Z', meta: { a: [1, 'x'], b: null } },
    { number: 'V-2', note: 'NULL', paid: false, total: null, qty: null, due: null, at: null, meta: 'just a string' },
    { number: 'V-3', note: 'émoji 🚀 and \n newline', meta: [1, 2, 3] },
    { number: 'V-4', note: null, meta: null }
  ]
  const bulk = await a.as(a.admin, { method: 'POST', url: '/order', payload: tricky })
  t.equal(bulk.statusCode, 201, bulk.body)
  const singles: Row[] = []
  for (const r of tricky) {
    const one = await a.as(a.admin, { method: 'POST', url: '/order', payload: { ...r, number: `S${r.number}` } })
    t.equal(one.statusCode, 201, one.body)
    singles.push(one.json().data as Row)
  }
  const strip = (r: Row): Row => { const { id: _i, number: _n, created_at: _c, lines: _l, ...rest } = r; return rest }
  const got = bulk.json().data as Row[]
  got.forEach((r, i) => t.same(strip(r), strip(singles[i] as Row), `record ${i} as a single create stores it`))
  const read = await a.as(a.admin, { url: `/order/${String(got[1]?.id)}` })
  t.equal(read.json().data.note, 'NULL', 'the text NULL is not a null')
  t.equal(read.json().data.meta, 'just a string')
  const created = new Set(got.map((r) => r.created_at))
  t.equal(created.size, 1, 'one timestamp for the whole bulk')
})

t.test('records writing different fields go in one INSERT per field set, answered in request order', async (t) => {
  const body = [{ number: 'M-1' }, { number: 'M-2', note: 'n' }, { number: 'M-3' }, { number: 'M-4', note: 'm', qty: 1 }, { number: 'M-5', note: 'o' }]
  const res = await a.as(a.admin, { method: 'POST', url: '/order', payload: body })
  t.equal(res.statusCode, 201, res.body)
  t.same((res.json().data as Row[]).map((r) => r.number), ['M-1', 'M-2', 'M-3', 'M-4', 'M-5'])
  t.same((res.json().data as Row[]).map((r) => r.note), [null, 'n', null, 'm', 'o'])
  const cmins = await rows("SELECT DISTINCT cmin::text AS c FROM orders WHERE number LIKE 'M-%'")
  t.equal(cmins.length, 3, 'three field sets, three statements')
})

t.test('a constraint failure inside the multi-row INSERT names the record and writes nothing', async (t) => {
  const before = await counts()
  const body = Array.from({ length: 80 }, (_, i) => ({ number: i === 57 ? 'B-3' : `C-${i}`, lines: [{ label: 'x' }] }))
  const res = await a.as(a.admin, { method: 'POST', url: '/order', payload: body })
  expectError(t, res, 409, 'CONFLICT')
  t.equal(res.json().error.details[0].index, 57)
  t.match(res.json().error.message, /Record 57/)
  t.match(JSON.stringify(res.json().error.details), /number/)
  t.same(await counts(), before, 'all or nothing: no rows, no audit, no changes')

  const fk = Array.from({ length: 10 }, (_, i) => ({ number: `F-${i}`, lines: [{ label: 'y', ...(i === 6 ? { part_id: '00000000-0000-4000-8000-000000000000' } : {}) }] }))
  const bad = await a.as(a.admin, { method: 'POST', url: '/order', payload: fk })
  t.ok(bad.statusCode === 422 || bad.statusCode === 409, `FK failure is a 4xx (${bad.statusCode})`)
  t.equal(bad.json().error.details[0].index, 6, 'the child\'s FK failure names its record')
  t.same(await counts(), before)

  const dup = await a.as(a.admin, { method: 'POST', url: '/order', payload: [{ number: 'D-1' }, { number: 'D-1' }] })
  expectError(t, dup, 409, 'CONFLICT')
  t.equal(dup.json().error.details[0].index, 1, 'a duplicate within the bulk names the second record')
  t.same(await counts(), before)
})

t.test('records with a slug take the per-record path and still come back in order', async (t) => {
  const res = await a.as(a.admin, { method: 'POST', url: '/post', payload: [{ title: 'Hello World' }, { title: 'Hello World' }, { title: 'Other' }] })
  t.equal(res.statusCode, 201, res.body)
  t.same((res.json().data as Row[]).map((r) => r.slug), ['hello-world', 'hello-world-2', 'other'])
})

t.test('a bulk create writes the audit and change rows 100 single creates write (one statement, rendered once)', async (t) => {
  const payload = (prefix: string, i: number): Row => ({
    number: `${prefix}-${i}`,
    ...(i % 3 === 0 ? { note: `n "${i}" \\ {x}`, total: '12.50', due: '2024-02-29', at: '2024-05-01T10:20:30.123Z', meta: { i, list: [1, 'x'] } } : { paid: true, qty: i })
  })
  // Two field sets (every third record writes other fields): two INSERTs, each one statement.
  const bulk = await a.as(a.admin, { method: 'POST', url: '/order', payload: Array.from({ length: 100 }, (_, i) => payload('AU', i)) })
  t.equal(bulk.statusCode, 201, bulk.body.slice(0, 300))
  for (let i = 0; i < 100; i++) {
    const one = await a.as(a.admin, { method: 'POST', url: '/order', payload: payload('AS', i) })
    t.equal(one.statusCode, 201, one.body)
  }
  const logged = async (prefix: string): Promise<Row[]> => await rows(
    `SELECT o.number, l.action, l.user_id::text AS user_id, l.record_id = o.id::text AS own, l.changes, c.action AS change, c.record, c.old, c.record_id = o.id::text AS change_own
       FROM orders o JOIN _audit_log l ON l.entity = 'order' AND l.record_id = o.id::text JOIN _changes c ON c.entity = 'order' AND c.record_id = o.id::text
      WHERE o.number LIKE $1 ORDER BY (split_part(o.number, '-', 2))::int`, [`${prefix}-%`])
  const strip = (r: Row): Row => {
    const clean = (j: unknown): unknown => {
      if (j === null) return null
      const { id: _i, number: _n, created_at: _c, ...rest } = j as Row
      return rest
    }
    const { number: _n, ...rest } = r
    return { ...rest, changes: clean(r.changes), record: clean(r.record) }
  }
  const bulkRows = await logged('AU')
  const singleRows = await logged('AS')
  t.equal(bulkRows.length, 100, 'one audit row and one change row per bulk record')
  t.equal(singleRows.length, 100)
  bulkRows.forEach((r, i) => {
    t.same(strip(r), strip(singleRows[i] as Row), `record ${i}: audit and change rows as a single create writes them`)
    t.ok(r.own === true && r.change_own === true)
    const written = new Set([...Object.keys(payload('AU', i)), 'paid', 'id', 'created_at'])
    t.same(Object.keys(r.changes as Row).sort(), [...written].sort(), 'the audit row holds the written fields (defaults and auto fields included) and the PK')
  })
  const first = bulkRows[0] as Row
  t.equal((first.record as Row).at, '2024-05-01T10:20:30.123Z', 'timestamps as the API shows them')
  t.equal((first.record as Row).total, '12.50', 'decimals as text')
  t.same((first.record as Row).meta, { i: 0, list: [1, 'x'] }, 'JSON as stored')
  t.equal((bulkRows[1]?.record as Row).note, null, 'unwritten fields are null in the change row')
  t.equal((bulkRows[1]?.changes as Row).note, undefined, '…and absent from the audit row')
  const created = new Set(bulkRows.map((r) => (r.record as Row).created_at))
  t.equal(created.size, 1, 'the auto timestamp, sent once, is the same on every row')
})
