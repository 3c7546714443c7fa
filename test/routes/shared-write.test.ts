// Concurrent plain creates and updates of one shape share one statement (docs/ARCHITECTURE.md,
// "Writes: concurrent creates and updates"). The same requests are sent once one after another
// (every write its own statement) and once all at once (writes of one shape share statements), on
// emptied tables: both must leave the same rows, audit rows and realtime change rows, and answer
// the same statuses and errors — a shared statement that fails runs each of its writes again alone.
import type { LightMyRequestResponse } from 'fastify'
import t from 'tap'
import type { Sql } from '../../lib/db/connection.js'
import { canReturnOld } from '../../lib/db/capabilities.js'
import { sharedWriteStats } from '../../lib/write/shared-write.js'
import { build, createTestApp, type TestApp } from '../helper.js'
import { appContext, userToken, type Row } from './business-fixtures.js'

const ENTITIES: Row[] = [
  { name: 'customer', table: 'customers', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string', required: true, unique: true }] },
  {
    name: 'invoice',
    table: 'invoices',
    fields: [
      { name: 'id', type: 'uuid' }, { name: 'number', type: 'string', required: true, unique: true }, { name: 'status', type: 'string', default: 'draft' },
      { name: 'total', type: 'decimal', precision: 2 }, { name: 'issued', type: 'timestamp' }, { name: 'due_on', type: 'date' },
      { name: 'meta', type: 'json' }, { name: 'paid', type: 'boolean' }, { name: 'lines', type: 'int' }, { name: 'customer_id', type: 'uuid' }
    ]
  }
]
const RELATIONS: Row[] = [
  { name: 'invoices', type: 'one_to_many', source: 'customer', target: 'invoice', source_key: 'id', target_key: 'customer_id', inverse_name: 'customer' }
]

const MISSING_CUSTOMER = '00000000-0000-4000-8000-000000000001'

/** Who sends a payload: the app admin or a clerk (another user: its audit rows name it, so its creates form their own lane). */
interface Send { as: 'admin' | 'clerk', payload: Row }

function payloads (customer: string): Send[] {
  const out: Send[] = []
  for (let i = 0; i < 24; i++) {
    out.push({ as: 'admin', payload: { number: `N-${i}`, total: `${i}.5`, issued: '2026-01-02T03:04:05.678Z', due_on: '2026-02-01', meta: { i, s: 'x"\\y' }, paid: i % 2 === 0, lines: i, customer_id: customer } })
  }
  for (let i = 0; i < 6; i++) out.push({ as: 'admin', payload: { number: `S-${i}`, status: i % 2 === 0 ? 'sent' : null } })
  for (let i = 0; i < 6; i++) out.push({ as: 'clerk', payload: { number: `C-${i}`, total: '1.00' } })
  // Failures among them: each must get the answer it would get alone, and leave nothing behind.
  out.push({ as: 'admin', payload: { number: 'seeded', total: '2.00', customer_id: customer } })
  out.push({ as: 'admin', payload: { number: 'F-1', total: '3.00', customer_id: MISSING_CUSTOMER } })
  out.push({ as: 'admin', payload: { number: 'twice', total: '4.00', customer_id: customer } })
  out.push({ as: 'admin', payload: { number: 'twice', total: '4.00', customer_id: customer } })
  return out
}

/** What the creates left: statuses, error bodies (ids labelled), rows, audit and change rows — each as a sorted list. */
async function snapshot (sql: Sql, answers: Array<{ statusCode: number, body: string }>): Promise<Row> {
  const names = new Map<string, string>()
  for (const r of await sql.unsafe<Row[]>('SELECT id::text AS id, number FROM invoices')) names.set(String(r.id), `<invoice:${String(r.number)}>`)
  for (const r of await sql.unsafe<Row[]>('SELECT id::text AS id, name FROM customers')) names.set(String(r.id), `<customer:${String(r.name)}>`)
  const label = (text: string): string => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => names.get(id) ?? id)
  const sortedJson = (rows: unknown[]): string[] => rows.map((r) => label(JSON.stringify(r))).sort()
  return {
    answers: sortedJson(answers.map((a) => {
      const body = JSON.parse(a.body) as Row
      return { status: a.statusCode, body: a.statusCode === 201 ? { number: (body.data as Row).number } : body }
    })),
    rows: sortedJson(await sql.unsafe('SELECT number, status, total::text, issued, due_on::text, meta, paid, lines, customer_id::text FROM invoices')),
    audit: sortedJson(await sql.unsafe('SELECT entity, record_id, action, changes - \'id\' AS changes, user_id FROM _audit_log')),
    changes: sortedJson(await sql.unsafe('SELECT entity, record_id, action, record, old FROM _changes'))
  }
}

// One server and one app for the whole file (an app is a database: ~1 s to create); each test
// empties the tables it writes.
const app = await build(t)
const a: TestApp = await createTestApp(app, 'shared')
// Defined before any test (no assertion outside a test): a refused definition throws.
for (const [url, payload] of [
  ...ENTITIES.map((e) => ['/_admin/entities', e] as const),
  ['/_admin/entities', { name: 'item', table: 'items', fields: [{ name: 'id', type: 'uuid' }, { name: 'invoice_id', type: 'uuid', required: true }, { name: 'sku', type: 'string', required: true, unique: true }, { name: 'qty', type: 'int' }] }] as const,
  ...RELATIONS.map((r) => ['/_admin/relations', r] as const),
  ['/_admin/relations', { name: 'items', type: 'one_to_many', source: 'invoice', target: 'item', source_key: 'id', target_key: 'invoice_id', on_delete: 'cascade' }] as const
]) {
  const res = await a.as(a.admin, { method: 'POST', url, payload })
  if (res.statusCode !== 201) throw new Error(`${url}: ${res.body}`)
}
const { sql } = await appContext(app, a)
const clerk = await userToken(app, a, 'clerk@example.test', ['admin'])
const tokens = { admin: a.admin, clerk }

t.test('concurrent creates share INSERTs and leave exactly what one-by-one creates leave', async (t) => {
  const customerRes = await a.as(a.admin, { method: 'POST', url: '/customer', payload: { name: 'Acme' } })
  t.equal(customerRes.statusCode, 201, customerRes.body)
  const customer = String(customerRes.json().data.id)
  const sends = payloads(customer)

  const reset = async (): Promise<void> => {
    await sql.unsafe('TRUNCATE invoices, items, _audit_log, _changes')
    const seeded = await a.as(a.admin, { method: 'POST', url: '/invoice', payload: { number: 'seeded' } })
    t.equal(seeded.statusCode, 201, seeded.body)
    await sql.unsafe('TRUNCATE _audit_log, _changes')
  }
  const send = async (s: Send): Promise<LightMyRequestResponse> => await a.as(tokens[s.as], { method: 'POST', url: '/invoice', payload: s.payload })

  await reset()
  const before = { ...sharedWriteStats }
  const alone = []
  for (const s of sends) alone.push(await send(s))
  t.equal(sharedWriteStats.shared, before.shared, 'one after another: no create shares a statement')
  const oneByOne = await snapshot(sql, alone)

  await reset()
  const atOnce = { ...sharedWriteStats }
  const together = await Promise.all(sends.map(send))
  t.ok(sharedWriteStats.shared > atOnce.shared, `all at once: creates shared INSERTs (${sharedWriteStats.shared - atOnce.shared} statements, ${sharedWriteStats.rows - atOnce.rows} rows)`)
  t.ok(sharedWriteStats.retried > atOnce.retried, 'a shared INSERT with a failing create ran its creates again alone')
  const shared = await snapshot(sql, together)

  t.same(shared, oneByOne, 'same statuses, errors, rows, audit rows and change rows')
  t.equal(together.filter((r) => r.statusCode === 201).length, sends.length - 3, 'every create but the three failing ones succeeded')
  const conflicts = together.filter((r) => r.statusCode === 409).map((r) => r.json().error)
  t.match(conflicts, [{ code: 'CONFLICT', details: [{ field: 'number', rule: 'unique' }] }, { code: 'CONFLICT', details: [{ field: 'number', rule: 'unique' }] }], 'the duplicate numbers are named')
  t.match(together.find((r) => r.statusCode === 422)?.json().error, { code: 'VALIDATION_FAILED', details: [{ rule: 'foreign_key' }] }, 'the missing customer is named')
  const [counts] = await sql.unsafe<Row[]>('SELECT (SELECT count(*)::int FROM invoices) AS rows, (SELECT count(*)::int FROM _audit_log) AS audit, (SELECT count(*)::int FROM _changes) AS changes')
  t.same(counts, { rows: sends.length - 3 + 1, audit: sends.length - 3, changes: sends.length - 3 }, 'no partial data: one row, one audit row and one change row per created record')
  const [clerkRows] = await sql.unsafe<Row[]>('SELECT count(*)::int AS n FROM _audit_log a JOIN _users u ON u.id = a.user_id WHERE u.email = $1', ['clerk@example.test'])
  t.equal(clerkRows?.n, 6, 'each audit row names the user who sent its create')
})

t.test('concurrent updates share UPDATEs and leave exactly what one-by-one updates leave', async (t) => {
  const numbers = Array.from({ length: 35 }, (_, i) => `U-${i}`)

  /** Fresh invoices U-0…U-34 with fixed ids (so both runs address the same records), audit and change rows emptied. */
  const reset = async (): Promise<string[]> => {
    await sql.unsafe('TRUNCATE invoices, items, _audit_log, _changes')
    const ids = numbers.map((_, i) => `00000000-0000-4000-8000-${String(i + 100).padStart(12, '0')}`)
    await sql.unsafe('INSERT INTO invoices (id, number, total, paid) SELECT unnest($1::uuid[]), unnest($2::text[]), 1, false', [ids, numbers])
    return ids
  }
  /** `sameRecord`: one of the three updates of one record, whose arrival order only a lane keeps. */
  interface Update { as: 'admin' | 'clerk', id: (ids: string[]) => string, payload: Row, sameRecord?: true }
  const updates: Update[] = []
  for (let i = 0; i < 20; i++) updates.push({ as: 'admin', id: (ids) => ids[i] as string, payload: { status: 'sent' } })
  // Another field set is another lane: on records of their own (two lanes' updates of one record race, as any concurrent requests do).
  for (let i = 30; i < 35; i++) updates.push({ as: 'admin', id: (ids) => ids[i] as string, payload: { total: `${i}.25`, paid: true } })
  for (let i = 20; i < 25; i++) updates.push({ as: 'clerk', id: (ids) => ids[i] as string, payload: { status: 'sent' } })
  // The same record three times (in arrival order, never in one statement), a missing record, a unique violation, an uppercase key.
  updates.push({ as: 'admin', id: (ids) => ids[25] as string, payload: { status: 'a' }, sameRecord: true })
  updates.push({ as: 'admin', id: (ids) => ids[25] as string, payload: { status: 'b' }, sameRecord: true })
  updates.push({ as: 'admin', id: (ids) => (ids[25] as string).toUpperCase(), payload: { status: 'c' }, sameRecord: true })
  updates.push({ as: 'admin', id: () => '00000000-0000-4000-8000-000000000999', payload: { status: 'sent' } })
  updates.push({ as: 'admin', id: (ids) => ids[26] as string, payload: { number: 'U-27' } })
  updates.push({ as: 'admin', id: (ids) => ids[28] as string, payload: { number: 'renamed' } })
  const send = async (u: Update, ids: string[]): Promise<LightMyRequestResponse> => await a.as(tokens[u.as], { method: 'PUT', url: `/invoice/${u.id(ids)}`, payload: u.payload })

  let ids = await reset()
  const before = { ...sharedWriteStats }
  const alone = []
  for (const u of updates) alone.push(await send(u, ids))
  t.equal(sharedWriteStats.shared, before.shared, 'one after another: no update shares a statement')
  const oneByOne = await snapshot(sql, alone)

  ids = await reset()
  const atOnce = { ...sharedWriteStats }
  // Where updates share (PostgreSQL 18) their lane runs one update per record at a time, in
  // arrival order: all go at once. Before 18 each update is its own statement and concurrent
  // updates of one record race as on any server (docs/ARCHITECTURE.md, "Shared statements"):
  // those three go one after another once the others, sent at once, are answered.
  const shares = canReturnOld()
  const later = (u: Update): boolean => !shares && u.sameRecord === true
  const first = await Promise.all(updates.map(async (u) => (later(u) ? null : await send(u, ids))))
  const together: LightMyRequestResponse[] = []
  for (const [i, u] of updates.entries()) together.push(first[i] ?? await send(u, ids))
  const shared = await snapshot(sql, together)
  if (canReturnOld()) {
    t.ok(sharedWriteStats.shared > atOnce.shared, `all at once: updates shared UPDATEs (${sharedWriteStats.shared - atOnce.shared} statements, ${sharedWriteStats.rows - atOnce.rows} rows)`)
  } else {
    t.equal(sharedWriteStats.shared, atOnce.shared, 'before PostgreSQL 18 updates are not shared')
  }
  t.same(shared, oneByOne, 'same statuses, errors, rows, audit rows and change rows')
  t.equal(together.filter((r) => r.statusCode === 404).length, 1, 'the missing record is 404')
  t.match(together.find((r) => r.statusCode === 409)?.json().error, { code: 'CONFLICT', details: [{ field: 'number', rule: 'unique' }] }, 'the unique violation is named')
  const [last] = await sql.unsafe<Row[]>('SELECT status FROM invoices WHERE id = $1', [ids[25] ?? ''])
  t.equal(last?.status, 'c', 'three updates of one record applied in arrival order')
  const [clerkRows] = await sql.unsafe<Row[]>('SELECT count(*)::int AS n FROM _audit_log a JOIN _users u ON u.id = a.user_id WHERE u.email = $1', ['clerk@example.test'])
  t.equal(clerkRows?.n, 5, 'each audit row names the user who sent its update')
})

t.test('concurrent nested creates share a unit and leave exactly what one-by-one creates leave', async (t) => {
  const sends: Row[] = []
  for (let i = 0; i < 20; i++) sends.push({ number: `T-${i}`, total: '1.50', items: Array.from({ length: 1 + (i % 4) }, (_, j) => ({ sku: `T-${i}-${j}`, qty: j })) })
  sends.push({ number: 'T-dup', items: [{ sku: 'T-3-0' }] })
  sends.push({ number: 'T-0', items: [{ sku: 'fresh' }] })
  sends.push({ number: 'T-bad', items: [{ sku: 'ok' }, { qty: 1 }] })

  const reset = async (): Promise<void> => { await sql.unsafe('TRUNCATE invoices, items, _audit_log, _changes') }
  const snap = async (answers: LightMyRequestResponse[]): Promise<Row> => {
    const names = new Map<string, string>()
    for (const r of await sql.unsafe<Row[]>('SELECT id::text AS id, number AS k FROM invoices UNION ALL SELECT id::text, sku FROM items')) names.set(String(r.id), `<${String(r.k)}>`)
    const label = (text: string): string => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => names.get(id) ?? id)
    const sortedJson = (rows: unknown[]): string[] => rows.map((r) => label(JSON.stringify(r))).sort()
    return {
      answers: sortedJson(answers.map((r) => {
        const body = JSON.parse(r.body) as Row
        if (r.statusCode !== 201) return { status: r.statusCode, body }
        const data = body.data as Row
        return { status: r.statusCode, number: data.number, items: (data.items as Row[] | undefined)?.map((l) => ({ sku: l.sku, qty: l.qty, invoice_id: l.invoice_id })) }
      })),
      rows: sortedJson(await sql.unsafe('SELECT i.number, i.total::text, l.sku, l.qty FROM invoices i LEFT JOIN items l ON l.invoice_id = i.id')),
      audit: sortedJson(await sql.unsafe('SELECT entity, record_id, action, changes - \'id\' AS changes, user_id FROM _audit_log')),
      changes: sortedJson(await sql.unsafe('SELECT entity, record_id, action, record, old FROM _changes'))
    }
  }
  const send = async (payload: Row): Promise<LightMyRequestResponse> => await a.as(a.admin, { method: 'POST', url: '/invoice', payload })

  await reset()
  const before = { ...sharedWriteStats }
  const alone = []
  for (const p of sends) alone.push(await send(p))
  t.equal(sharedWriteStats.shared, before.shared, 'one after another: nothing shared')
  const oneByOne = await snap(alone)

  await reset()
  const atOnce = { ...sharedWriteStats }
  const together = await Promise.all(sends.map(send))
  t.ok(sharedWriteStats.shared > atOnce.shared, `all at once: nested creates shared units (${sharedWriteStats.shared - atOnce.shared} units, ${sharedWriteStats.rows - atOnce.rows} creates)`)
  t.ok(sharedWriteStats.retried > atOnce.retried, 'a shared unit with a failing create ran its creates again alone')
  t.same(await snap(together), oneByOne, 'same statuses, bodies, errors, rows, audit rows and change rows')
  t.equal(together.filter((r) => r.statusCode === 201).length, 20, 'the twenty valid creates succeeded')
  t.match(together.find((r) => r.statusCode === 422)?.json().error, { code: 'VALIDATION_FAILED' }, 'the item without its sku is named')
  const [counts] = await sql.unsafe<Row[]>('SELECT (SELECT count(*)::int FROM invoices) AS invoices, (SELECT count(*)::int FROM items) AS items, (SELECT count(*)::int FROM _audit_log) AS audit')
  t.same(counts, { invoices: 20, items: 50, audit: 70 }, 'no partial data: only the valid creates, each record audited once')
})
